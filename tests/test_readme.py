"""The README's Python example runs and prints what the README shows."""

import contextlib
import io
import re

from conftest import ROOT


def _example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code, output = re.search(r"```python\n(.*?)```\n```\n(.*?)```", section, re.S).groups()
    return code, output


def test_the_python_api_example_prints_what_the_readme_shows(tmp_path, monkeypatch):
    code, expected = _example()
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue() == expected
    assert (tmp_path / "news.db").exists()
