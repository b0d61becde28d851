"""The docs: a short README, generated pages that match the code, examples that run,
and measured figures stamped with their commit."""

import contextlib
import importlib.util
import io
import re

import pytest

from conftest import ROOT

DOCS = ROOT / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_is_at_most_200_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


def test_the_readme_links_to_docs_pages_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_every_docs_page_is_in_the_site_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = {p.name for p in DOCS.glob("*.md")}
    assert {p for p in pages if p not in nav} == set()


def test_the_cli_reference_and_the_schema_page_are_what_the_code_gives():
    # make docs-check (and CI) fail on the same: python docs/generate.py rewrites them.
    assert _generator().stale_pages() == []


def test_the_cli_reference_names_every_command():
    from claims.cli import cli

    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## claims {name}\n" in page


def test_the_schema_page_names_every_table_and_view():
    page = (DOCS / "schema.md").read_text(encoding="utf-8")
    for name in ("articles", "claims", "claim_pairs", "reviews", "answers", "changes", "conflicts", "candidates", "points", "review_queue"):
        assert f"### `{name}`" in page


def _sections(page: str):
    """Each level-2 section of a page: its heading and text."""
    return re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", page, re.S | re.M)


@pytest.mark.parametrize("name", ["quality.md", "performance.md"])
def test_every_measured_table_says_the_commit_it_came_from(name):
    page = (DOCS / name).read_text(encoding="utf-8")
    for heading, text in _sections(page):
        if re.search(r"^\| --- ", text, re.M):
            assert re.search(r"`[0-9a-f]{7}`|\b[0-9a-f]{7}\b", text), heading


def test_the_plugin_example_registers_a_judge():
    page = (DOCS / "judges.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(import claims\nfrom claims.judge import Verdict\n.*?)```", page, re.S).group(1)
    namespace = {}
    exec(compile(code, "docs/judges.md", "exec"), namespace)
    registered = {}
    namespace["register_judges"](lambda name, factory, help: registered.update({name: factory}))
    judge = registered["mine"](None, {})

    class Pair:
        text_a, text_b = "Das Land zahlt.", "Das Land zahlt nicht."

    (verdict,) = judge.judge_claims([Pair()])
    assert (verdict.relation, verdict.reason) == ("conflict", "my reason")


def test_the_python_api_page_example_prints_what_the_page_shows(tmp_path, monkeypatch):
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    code, expected = re.search(r"```python\n(.*?)```\n```\n(.*?)```", page, re.S).groups()
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "docs/api.md", "exec"), {})
    assert printed.getvalue() == expected
