"""The dependency rules of ARCHITECTURE.md, checked on the source with `ast`.

The house has three floors, and no import runs upward:
- ground floor: `ground` (paths, privacy, logs) imports no other package of the project;
  `drivers` and `sync` stand on it and import neither each other nor anything above;
- first floor: `hall` (imports the ground floor, never `kiosk` or the command line);
- top floor: `kiosk` (the screens) and `yiciban` (the command line, imported by nothing).
- Only `kiosk` imports PySide6 (or shiboken6). `bench` is imported only by the command line.

Every `import x`, `from x import y`, relative import (resolved against the file's
package) and `importlib.import_module("x")` / `__import__("x")` with a literal name
counts, wherever it sits: inside a function or under `if TYPE_CHECKING:` as well.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

QT = frozenset({"PySide6", "shiboken6"})
FORBIDDEN: dict[str, frozenset[str]] = {
    "ground": QT | {"drivers", "sync", "hall", "kiosk", "yiciban", "bench"},
    "drivers": QT | {"sync", "hall", "kiosk", "yiciban", "bench"},
    "sync": QT | {"drivers", "hall", "kiosk", "yiciban", "bench"},
    "hall": QT | {"kiosk", "yiciban", "bench"},
    "kiosk": frozenset({"yiciban", "bench"}),
    "bench": frozenset({"yiciban"}),
    "yiciban": QT,
}


def _dynamic_import_name(node: ast.Call) -> str | None:
    func = node.func
    is_import_module = (
        isinstance(func, ast.Attribute)
        and func.attr == "import_module"
        and isinstance(func.value, ast.Name)
        and func.value.id == "importlib"
    ) or (isinstance(func, ast.Name) and func.id in {"import_module", "__import__"})
    if not is_import_module or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return None if first.value.startswith(".") else first.value
    return None


def imported_modules(tree: ast.AST, package: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in a module of `package`.

    A relative import that climbs above the top-level package yields a name starting
    with "..", which belongs to no package and is reported as such.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.lineno, node.module or ""
                continue
            up = node.level - 1
            if up > len(package):
                yield node.lineno, "." * node.level + (node.module or "")
                continue
            base = list(package[: len(package) - up])
            if node.module:
                base.append(node.module)
            yield node.lineno, ".".join(base)
        elif isinstance(node, ast.Call):
            name = _dynamic_import_name(node)
            if name is not None:
                yield node.lineno, name


def find_violations(
    root: Path, rules: dict[str, frozenset[str]] = FORBIDDEN
) -> tuple[list[str], int]:
    """Messages `path:line: ...` for each forbidden import under `root`, and files scanned."""
    violations: list[str] = []
    scanned = 0
    for top in sorted(rules):
        for path in sorted((root / top).rglob("*.py")):
            rel = path.relative_to(root)
            scanned += 1
            try:
                tree = ast.parse(path.read_bytes(), filename=str(rel))
            except SyntaxError as exc:
                violations.append(f"{rel}:{exc.lineno}: cannot be parsed ({exc.msg})")
                continue
            package = rel.parts[:-1]
            for line, module in imported_modules(tree, package):
                target = module.split(".")[0]
                if module.startswith("."):
                    violations.append(
                        f"{rel}:{line}: relative import `{module}` climbs above `{top}`"
                    )
                elif target in rules[top]:
                    violations.append(
                        f"{rel}:{line}: `{top}` must not import `{module}` (ARCHITECTURE.md)"
                    )
    return violations, scanned


def test_the_source_tree_follows_the_dependency_rules():
    violations, scanned = find_violations(REPO)
    assert scanned >= len(FORBIDDEN), "the walk found too few files; is REPO right?"
    assert not violations, "forbidden imports:\n" + "\n".join(violations)


def test_every_package_is_walked():
    for top in FORBIDDEN:
        assert (REPO / top / "__init__.py").is_file(), f"{top}/__init__.py is missing"


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")


def test_the_check_reports_each_kind_of_violation(tmp_path):
    for top in FORBIDDEN:
        write(tmp_path, f"{top}/__init__.py", "")
    # Allowed: kiosk uses Qt and everything; hall uses sync; relative imports inside.
    write(tmp_path, "kiosk/app.py", "from PySide6 import QtWidgets\nimport hall.client\n")
    write(tmp_path, "hall/store.py", "from sync import outbox\nfrom .domain import model\n")
    write(tmp_path, "drivers/printer/codec.py", "from .. import errors\nimport serial\n")
    # Forbidden, one of each kind.
    write(
        tmp_path,
        "drivers/printer/escpos.py",
        '"""Printer."""\nimport logging\nfrom hall.store import HallStore\n',
    )
    write(tmp_path, "drivers/idcard/reader.py", "def f():\n    from yiciban import privacy\n")
    write(tmp_path, "hall/server.py", "import os\nimport PySide6.QtCore\n")
    write(
        tmp_path,
        "hall/board.py",
        "import importlib\n\n\ndef load():\n    return importlib.import_module('kiosk.views')\n",
    )
    write(
        tmp_path,
        "sync/relay.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import hall.service\n",
    )
    write(tmp_path, "sync/outbox.py", "from ..hall import store\n")
    write(tmp_path, "sync/platform/app.py", "from ...kiosk import x\n")
    write(tmp_path, "sync/platform/db.py", "\nfrom .... import y\n")
    write(tmp_path, "yiciban/cli.py", "def main():\n    import shiboken6\n")
    write(tmp_path, "hall/broken.py", "def (:\n")

    violations, scanned = find_violations(tmp_path)

    assert scanned == 20
    assert violations == [
        "drivers/idcard/reader.py:2: `drivers` must not import `yiciban` (ARCHITECTURE.md)",
        "drivers/printer/escpos.py:3: `drivers` must not import `hall.store` (ARCHITECTURE.md)",
        "hall/board.py:5: `hall` must not import `kiosk.views` (ARCHITECTURE.md)",
        "hall/broken.py:1: cannot be parsed (invalid syntax)",
        "hall/server.py:2: `hall` must not import `PySide6.QtCore` (ARCHITECTURE.md)",
        "sync/outbox.py:1: `sync` must not import `hall` (ARCHITECTURE.md)",
        "sync/platform/app.py:1: `sync` must not import `kiosk` (ARCHITECTURE.md)",
        "sync/platform/db.py:2: relative import `....` climbs above `sync`",
        "sync/relay.py:3: `sync` must not import `hall.service` (ARCHITECTURE.md)",
        "yiciban/cli.py:2: `yiciban` must not import `shiboken6` (ARCHITECTURE.md)",
    ]


def test_relative_imports_resolve_to_their_package():
    tree = ast.parse("from . import a\nfrom .b import c\nfrom ..d import e\nfrom .. import f\n")
    assert list(imported_modules(tree, ("hall", "domain"))) == [
        (1, "hall.domain"),
        (2, "hall.domain.b"),
        (3, "hall.d"),
        (4, "hall"),
    ]


def test_the_queue_domain_is_pure():
    """hall/domain imports the standard library and itself: no store, server, sync or drivers."""
    import sys

    found = []
    for path in sorted((REPO / "hall" / "domain").rglob("*.py")):
        rel = path.relative_to(REPO)
        tree = ast.parse(path.read_bytes(), filename=str(rel))
        for line, module in imported_modules(tree, rel.parts[:-1]):
            top = module.split(".")[0]
            if not (module == "hall.domain" or module.startswith("hall.domain.")
                    or top in sys.stdlib_module_names or top == "__future__"):
                found.append(f"{rel}:{line}: {module}")
    assert not found, "hall/domain must stay pure:\n" + "\n".join(found)
