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


# -- no circle: the import graph of every module of the project

PROJECT = ("ground", "drivers", "sync", "hall", "kiosk", "bench", "yiciban")


def _is_main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` runs only in a module started as a program, which Python
    loads as `__main__`, a module of its own: what it imports closes no circle."""
    test = getattr(node, "test", None)
    return (isinstance(node, ast.If) and isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def module_name(rel: Path) -> str:
    parts = rel.with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, tops: tuple[str, ...] = PROJECT) -> dict[str, set[str]]:
    """Each module of the project → the project modules it imports, wherever the import sits.

    `from package import name` points at `package.name` when that is a module (the package's
    own `__init__` has run before any of its modules, as for every import), else at `package`;
    an import of a module outside the project is left out.
    """
    files = {module_name(p.relative_to(root)): p for top in tops for p in sorted((root / top).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        rel = path.relative_to(root)
        tree = ast.parse(path.read_bytes(), filename=str(rel))
        tree.body = [node for node in tree.body if not _is_main_guard(node)]
        package = rel.parts[:-1]
        targets: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom | ast.Call):
                continue
            for _line, module in imported_modules(ast.Module([node], []), package):
                names = node.names if isinstance(node, ast.ImportFrom) else []
                submodules = {f"{module}.{alias.name}" for alias in names} & files.keys()
                targets |= submodules
                if len(submodules) < len(names) or not names:
                    targets.add(_in_project(module, files))
        targets.discard("")
        targets.discard(name)
        graph[name] = targets
    return graph


def _in_project(module: str, files: dict[str, Path]) -> str:
    """The project module an import runs (`a.b.name` → `a.b`), or "" for an outside one."""
    while module and module not in files:
        module = module.rpartition(".")[0]
    return module


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per group of modules that import each other, each as a path `a → … → a`
    starting at its first module by name; groups sorted by that name (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:  # iterative: a deep chain must not hit the recursion limit
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted((_circle(graph, group) for group in groups), key=lambda c: c[0])


def _circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in sorted(graph[node] & group):
                if child == start:
                    return [*paths[node], start]
                if child not in paths:
                    paths[child] = [*paths[node], child]
                    following.append(child)
        frontier = following
    raise AssertionError(f"{sorted(group)} is no circle")


def test_no_module_imports_itself_through_others():
    graph = import_graph(REPO)
    assert len(graph) > 100, "the walk found too few modules; is REPO right?"
    cycles = find_cycles(graph)
    assert not cycles, "import circles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_the_circle_check_finds_each_kind_of_circle(tmp_path):
    write(tmp_path, "sync/__init__.py", "")
    write(tmp_path, "sync/node.py", '"""Node."""\nfrom sync.relay_main import main\n')
    write(tmp_path, "sync/relay_main.py", "def main():\n    from sync import node\n")
    write(tmp_path, "sync/relay.py", 'if __name__ == "__main__":\n    from sync.relay_main import main\n')
    write(tmp_path, "sync/alone.py", "from sync.relay import x\n")
    write(tmp_path, "kiosk/__init__.py", "")
    write(tmp_path, "kiosk/roles/__init__.py", '"""Roles."""\n')
    write(tmp_path, "kiosk/roles/view.py", "from kiosk.roles import samples\n")
    write(tmp_path, "kiosk/roles/samples.py", "from typing import TYPE_CHECKING\n"
                                              "if TYPE_CHECKING:\n    from .view import View\n")
    write(tmp_path, "kiosk/a.py", "import kiosk.b\n")
    write(tmp_path, "kiosk/b.py", "import kiosk.c\n")
    write(tmp_path, "kiosk/c.py", "from . import a\n")
    write(tmp_path, "kiosk/d.py", "import kiosk.a\nimport json\n")

    graph = import_graph(tmp_path, ("sync", "kiosk"))

    assert graph["sync.relay"] == set()  # what a module run as a program imports closes no circle
    assert graph["kiosk.roles.view"] == {"kiosk.roles.samples"}
    assert find_cycles(graph) == [
        ["kiosk.a", "kiosk.b", "kiosk.c", "kiosk.a"],
        ["kiosk.roles.samples", "kiosk.roles.view", "kiosk.roles.samples"],
        ["sync.node", "sync.relay_main", "sync.node"],
    ]


# -- the screens' logic that needs no Qt

QT_FREE = ("kiosk/models", "kiosk/pending.py", "kiosk/voice_build.py")


def qt_free_violations(root: Path, listed: tuple[str, ...] = QT_FREE) -> list[str]:
    """A listed module imports neither Qt nor a module of `kiosk` that is not listed (which
    might bring Qt along)."""
    paths = [p for item in listed for p in ([root / item] if item.endswith(".py")
                                            else sorted((root / item).rglob("*.py")))]
    free = {module_name(p.relative_to(root)) for p in paths}
    found = []
    for path in paths:
        rel = path.relative_to(root)
        tree = ast.parse(path.read_bytes(), filename=str(rel))
        for line, module in imported_modules(tree, rel.parts[:-1]):
            top = module.split(".")[0]
            kiosk_outside = top == "kiosk" and module not in free and module not in {"kiosk", "kiosk.models"} \
                and not any(module.startswith(f"{m}.") or module == m for m in free)
            if top in QT or kiosk_outside:
                found.append(f"{rel}:{line}: {module}")
    return found


def test_the_screens_models_import_no_qt():
    assert (REPO / "kiosk" / "models" / "search.py").is_file()
    violations = qt_free_violations(REPO)
    assert not violations, "Qt-free modules must stay Qt-free:\n" + "\n".join(violations)


def test_the_qt_free_check_reports_qt_and_views(tmp_path):
    write(tmp_path, "kiosk/models/board.py", "from kiosk.models.layout import plan\nimport json\n")
    write(tmp_path, "kiosk/models/layout.py", "def plan():\n    from PySide6.QtGui import QFont\n")
    write(tmp_path, "kiosk/models/search.py", "from kiosk.context import Context\n")
    write(tmp_path, "kiosk/pending.py", "from kiosk.models import board\n")
    assert qt_free_violations(tmp_path, ("kiosk/models", "kiosk/pending.py")) == [
        "kiosk/models/layout.py:2: PySide6.QtGui",
        "kiosk/models/search.py:1: kiosk.context",
    ]
