"""House rules (issue 47): no module of the package over 400 lines, no
function with more than six parameters (options go in a dataclass)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "claims"
MAX_LINES = 400
MAX_PARAMETERS = 6  # not counting self or cls; *args and **kwargs count one each


def modules() -> list[Path]:
    found = sorted(PACKAGE.rglob("*.py"))
    assert found, PACKAGE
    return found


def parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    a = node.args
    names = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
    return len([n for n in names if n not in ("self", "cls")]) + (a.vararg is not None) + (a.kwarg is not None)


def test_no_module_over_400_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_function_over_six_parameters():
    wide = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and parameters(node) > MAX_PARAMETERS:
                wide.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name} ({parameters(node)})")
    assert not wide, "functions over six parameters: " + ", ".join(wide)


def test_the_rule_counts_as_it_says():
    [six, seven, method] = ast.parse(
        "def six(a, b, c, *d, e, **f): pass\n"
        "def seven(a, b, c, d, e, f, g=1): pass\n"
        "class C:\n    def m(self, a, b, c, d, e, f): pass\n"
    ).body
    assert parameters(six) == 6 and parameters(seven) == 7 and parameters(method.body[0]) == 6
