import json

import pytest

from claims.inputs.ingest import read


def test_txt_title_is_first_non_empty_line(tmp_path):
    (tmp_path / "a.txt").write_text("\n\n  Titel der Meldung  \n\nErster Satz. Zweiter Satz.\n", encoding="utf-8")
    articles, problems = read([tmp_path])
    assert problems == []
    [article] = articles
    assert article.title == "Titel der Meldung"
    assert article.text.startswith("\n\n  Titel")  # raw text kept exactly
    assert article.source == "a"
    assert len(article.sha256) == 64


def test_markdown_heading_marker_is_not_part_of_title(tmp_path):
    (tmp_path / "b.md").write_text("# Überschrift\n\nText hier.\n", encoding="utf-8")
    [article], _ = read([tmp_path / "b.md"])
    assert article.title == "Überschrift"


def test_jsonl_fields_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"title": "T1", "text": "Satz eins.", "source": "FT", "url": "https://x", "published": "2025-02-15"}),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": "Nur Text.\nZweite Zeile."}),
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    articles, problems = read([path])
    assert [(a.title, a.source, a.url, a.published) for a in articles] == [
        ("T1", "FT", "https://x", "2025-02-15"),
        ("Nur Text.", "feed", None, None),
    ]
    assert [p.path for p in problems] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert all(p.action == "skipped" for p in problems)


def test_bad_inputs_are_named_and_skipped(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("  \n\n ")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "good.txt").write_text("Titel\n\nEin Satz mit Inhalt.", encoding="utf-8")
    articles, problems = read([tmp_path, tmp_path / "missing.txt"])
    assert [a.path for a in articles] == [str(tmp_path / "good.txt")]
    messages = {p.path.split("/")[-1]: p.message for p in problems}
    assert messages == {
        "binary.txt": "binary file (NUL bytes), skipped",
        "blank.txt": "empty file, skipped",
        "empty.txt": "empty file, skipped",
        "missing.txt": "no such file or folder",
    }


def test_latin1_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "alt.txt"
    path.write_bytes("Größere Käufe\n\nDie Bürger prüfen.".encode("latin-1"))
    [article], [problem] = read([path])
    assert article.title == "Größere Käufe"
    assert problem.action == "warning"
    assert problem.message == "not valid UTF-8, decoded as Latin-1"


def test_duplicate_text_under_another_name_is_skipped(tmp_path):
    (tmp_path / "a.txt").write_text("Titel\n\nGleicher Text.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Titel\n\nGleicher Text.", encoding="utf-8")
    articles, [problem] = read([tmp_path])
    assert [a.path for a in articles] == [str(tmp_path / "a.txt")]
    assert problem.path == str(tmp_path / "b.txt")
    assert "duplicate" in problem.message and "a.txt" in problem.message


def test_same_file_named_twice_is_read_once_and_said_so(tmp_path):
    (tmp_path / "a.txt").write_text("Titel\n\nText.", encoding="utf-8")
    articles, problems = read([tmp_path / "a.txt", tmp_path, tmp_path / "a.txt"])
    assert len(articles) == 1
    assert [(p.message, p.action) for p in problems] == [("given more than once, read once", "warning")] * 2


def test_utf16_with_a_byte_order_mark_is_decoded(tmp_path):
    (tmp_path / "a.txt").write_text("Titel\n\nRubio sagte, die EU werde mit am Tisch sitzen.", encoding="utf-16")
    [article], [problem] = read([tmp_path / "a.txt"])
    assert "am Tisch" in article.text and problem.message == "UTF-16, decoded"


def test_symlink_loops_are_named_and_skipped(tmp_path):
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "ok.txt").write_text("Titel\n\nText.", encoding="utf-8")
    articles, problems = read([tmp_path, tmp_path / "loop1"])
    assert len(articles) == 1
    assert sorted(str(p) for p in problems) == sorted(
        [f"{tmp_path / name}: symlink that leads nowhere (a loop or a missing target), skipped" for name in ("loop1", "loop1", "loop2")]
    )


def test_a_huge_file_is_truncated_with_a_warning(tmp_path, monkeypatch):
    import claims.inputs.ingest

    monkeypatch.setattr(claims.inputs.ingest, "MAX_CHARS", 1000)  # the same path as 50 MB, in a test's time
    (tmp_path / "big.txt").write_text("Titel\n\n" + "Kellogg sagte, es gehe gut voran. " * 100, encoding="utf-8")
    (tmp_path / "big.jsonl").write_text(json.dumps({"text": "Satz eins ist da. " * 100}) + "\n", encoding="utf-8")
    articles, problems = read([tmp_path])
    assert [len(a.text) for a in articles] == [1000, 1000]
    assert {p.message for p in problems} == {
        "longer than 1,000 characters, truncated there", "text longer than 1,000 characters, truncated there"
    }


def test_an_unreadable_file_is_named_and_skipped(tmp_path, monkeypatch):
    from pathlib import Path

    (tmp_path / "secret.txt").write_text("Titel\n\nText.", encoding="utf-8")
    # Tests run as root here, who reads any file: refuse at the edge instead.
    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    articles, [problem] = read([tmp_path / "secret.txt"])
    assert articles == [] and str(problem) == f"{tmp_path / 'secret.txt'}: cannot be read (Permission denied), skipped"


def test_parquet_rows_are_articles_named_like_jsonl_lines(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    table = pa.table({
        "title": ["T1", None, "T3", "T4"],
        "text": ["Satz eins.", "Nur Text.\nZweite Zeile.", "", "Satz vier."],
        "source": ["FT", None, "x", "Zeit"],
        "published": ["2025-02-15", None, None, None],
        "story": [None, None, None, "Ukraine"],
    })
    path = tmp_path / "feed.parquet"
    pq.write_table(table, path, row_group_size=3)  # rows 1-3 in one group, row 4 in another
    articles, problems = read([tmp_path])
    assert [(a.path, a.title, a.source, a.published, a.story) for a in articles] == [
        (f"{path}:1", "T1", "FT", "2025-02-15", None),
        (f"{path}:2", "Nur Text.", "feed", None, None),
        (f"{path}:4", "T4", "Zeit", None, "Ukraine"),
    ]
    assert [(p.path, p.message) for p in problems] == [(f"{path}:3", "missing or empty 'text' field, row skipped")]


def test_a_bad_parquet_file_is_named_and_skipped(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    pq.write_table(pa.table({"body": ["Ein Satz."]}), tmp_path / "notext.parquet")
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), tmp_path / "norows.parquet")
    articles, problems = read([tmp_path])
    assert articles == []
    messages = {p.path.split("/")[-1]: p.message for p in problems}
    assert messages["broken.parquet"].startswith("not a readable Parquet file (")
    assert messages["notext.parquet"] == "no 'text' column (it has body), skipped"
    assert messages["norows.parquet"] == "Parquet file without rows, skipped"


def test_without_pyarrow_a_parquet_file_says_what_to_install(tmp_path, monkeypatch):
    import sys

    (tmp_path / "feed.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as if not installed
    articles, [problem] = read([tmp_path / "feed.parquet"])
    assert articles == [] and problem.message == "reading Parquet needs pyarrow (pip install 'claims[parquet]'), skipped"
