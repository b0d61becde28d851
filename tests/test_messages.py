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


def test_one_file_is_one_article_however_its_path_is_written(tmp_path, monkeypatch):
    folder = tmp_path / "news"
    folder.mkdir()
    for k, sentence in enumerate(("Die Europäer werden am Tisch sitzen, sagte er.", "Kellogg spielt eine zeremonielle Rolle, hieß es.")):
        (folder / f"{k}.txt").write_text(f"Titel {k}\n\n{sentence}\n", encoding="utf-8")
    db = str(tmp_path / "x.db")
    assert CliRunner().invoke(cli, ["build", str(folder), "--db", db]).exit_code == 0
    monkeypatch.chdir(tmp_path)
    for spelling in ("news", "./news/", str(folder / "0.txt")):
        result = CliRunner().invoke(cli, ["build", spelling, "--db", db])
        assert result.exit_code == 0 and "duplicate" not in result.output
        assert "0 new" in result.stdout and "unchanged" in result.stdout
    # A file removed is gone at the next build, whichever spelling names its folder.
    (folder / "1.txt").unlink()
    result = CliRunner().invoke(cli, ["build", "news", "--db", db])
    assert "1 removed" in result.stdout and "no longer there" in result.stderr
