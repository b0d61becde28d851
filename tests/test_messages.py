"""Bad input a newcomer gives: one line naming the file (and the line), and
nothing a user had is overwritten."""

from click.testing import CliRunner

from claims.cli import cli


def test_a_questions_file_that_is_not_yaml_names_the_file_and_the_line(tmp_path):
    (tmp_path / "a.txt").write_text("Titel\n\nDie Europäer werden am Tisch sitzen, sagte er.\n", encoding="utf-8")
    questions = tmp_path / "q.yml"
    questions.write_text("- id: a\n  question: [Werden die Europäer\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "a.txt"), "--db", str(tmp_path / "x.db"), "--questions", str(questions)])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"claims: {questions}:3: not valid YAML") and "Traceback" not in result.output


def test_a_path_that_is_not_there_is_named(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "nothere"), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nothere'}: no such file or folder" in result.stderr


def test_a_small_file_that_is_no_db_is_refused_not_replaced(tmp_path):
    (tmp_path / "a.txt").write_text("Titel\n\nDie Europäer werden am Tisch sitzen, sagte er.\n", encoding="utf-8")
    for content in (b"x", b"not a database at all, but a user's notes\n" * 100):
        db = tmp_path / "notes.db"
        db.write_bytes(content)
        result = CliRunner().invoke(cli, ["build", str(tmp_path / "a.txt"), "--db", str(db)])
        assert result.exit_code == 1
        [line] = result.stderr.splitlines()
        assert line.startswith(f"claims: {db}: ") and "SQLite" in line
        assert db.read_bytes() == content
