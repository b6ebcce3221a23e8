"""Rooms a newcomer can read: no module over 600 lines, no function over 100 (issue 9).

Counted on the source with `ast`, over every package of the project; a file that needs to be
longer is a sign it holds two things, and the message names the file and the function.
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("ground", "drivers", "sync", "hall", "kiosk", "yiciban", "bench")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 100


def oversized(root: Path) -> list[str]:
    found: list[str] = []
    for top in PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            rel = path.relative_to(root)
            source = path.read_text(encoding="utf-8")
            lines = source.count("\n") + (0 if source.endswith("\n") or not source else 1)
            if lines > MAX_MODULE_LINES:
                found.append(f"{rel}: {lines} lines (at most {MAX_MODULE_LINES})")
            for node in ast.walk(ast.parse(source, filename=str(rel))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        found.append(f"{rel}:{node.lineno}: {node.name}() is {length} lines "
                                     f"(at most {MAX_FUNCTION_LINES})")
    return found


def test_no_module_or_function_is_too_long():
    found = oversized(REPO)
    assert not found, "split these:\n" + "\n".join(found)


def test_the_check_finds_a_long_module_and_a_long_function(tmp_path):
    for top in PACKAGES:
        (tmp_path / top).mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(101))
    (tmp_path / "hall" / "long.py").write_text(f"def f():\n{body}\n" + "\n" * 500, encoding="utf-8")
    (tmp_path / "kiosk" / "short.py").write_text("def g():\n    return 1\n", encoding="utf-8")
    assert oversized(tmp_path) == [
        "hall/long.py: 602 lines (at most 600)",
        "hall/long.py:1: f() is 102 lines (at most 100)",
    ]
