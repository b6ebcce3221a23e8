"""What every test process shares: Qt offscreen, which tests run together on one worker, and
the report of what the run skipped.

Every test has a data directory of its own (`$YICIBAN_DATA_DIR`).

`make test` runs the suite on both cores (pytest-xdist, `--dist loadgroup`): tests go to
whichever worker is free, one by one, except that the tests of a module that share a
module-scoped fixture (a hall server, a browser, a pcscd) stay together on one worker, so the
fixture is made once; a test marked `xdist_group(NAME)` goes with the others of that name
(`pcscd`: the machine has one, and the tests that use it take turns).

A skip is a defect unless the test needs a real device (`@pytest.mark.hardware`) or the BoofCV
photographs, which carry no licence and are not in the repository (`@pytest.mark.photos`, run
by `make soak` where they are); both are left out of `make test`. At the end of every run the
suite lists each skipped test and why, so a missing package or tool is seen rather than passed
over. With `YICIBAN_STRICT_SKIPS=1` (set by CI) any other skip fails the run.
"""
from __future__ import annotations

import compileall
import os
from pathlib import Path

import pytest

# Qt must never look for a display in tests; set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

STRICT_SKIPS = "YICIBAN_STRICT_SKIPS"
# the platform's database, SQLite or a private PostgreSQL cluster (`platform_database`)
pytest_plugins = ("tests.support.postgres",)


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test (or a process it starts) keeps in the default data directory (the
    terminal's guide cache, the pad's pending ratings) lands in a directory of its own, not in
    ~/.local/share/yiciban where other tests, other workers and other runs would meet it."""
    monkeypatch.setenv("YICIBAN_DATA_DIR", str(tmp_path_factory.mktemp("data-dir")))


def _module_scoped(item: pytest.Item) -> bool:
    """Does the test use a fixture made once per module?"""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs and defs[-1].scope == "module" for defs in info.name2fixturedefs.values())


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group") is None and _module_scoped(item):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


class _GroupSuffix:
    """A worker tells the scheduler a test's group by a suffix on its node id ("id@group").
    Since pytest 9.2 keeps node ids structured, xdist 3.8's suffix no longer sticks
    (pytest-dev/pytest-xdist#1386) and groups are silently spread: this sets it where it sticks,
    and does nothing where xdist's own suffix is already there."""

    @pytest.hookimpl(trylast=True)  # after xdist's own hook
    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        if not config.getoption("loadgroup", False):
            return
        for item in items:
            names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                            for m in item.iter_markers("xdist_group")})
            suffix = "@" + "_".join(names)
            if not names or item.nodeid.endswith(suffix):
                continue
            if hasattr(item, "_id"):
                from _pytest.nodeid import coerce_node_id

                item._id = coerce_node_id(item.nodeid + suffix)
            else:
                item._nodeid = item.nodeid + suffix


PACKAGES = ("ground", "drivers", "sync", "hall", "kiosk", "bench", "yiciban")


def _compile_bytecode(root: Path) -> None:
    """The project's modules compiled once, before any test: the suite starts hundreds of hall,
    relay, platform and simulator processes, and under PYTHONDONTWRITEBYTECODE (or in a fresh
    clone) each would compile every module it imports again, about 0.6 s a start."""
    for package in PACKAGES:
        compileall.compile_dir(root / package, quiet=1)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        config.pluginmanager.register(_GroupSuffix(), "yiciban-xdist-group-suffix")
    else:  # the controller (or a run on one process), before the workers start
        _compile_bytecode(Path(str(config.rootpath)))


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason pytest recorded for a skip: its longrepr is (file, line, 'Skipped: reason')."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


EXCUSED = ("hardware", "photos")  # the markers of what a clone cannot have


def _skipped(terminalreporter) -> list[tuple[str, str, str]]:
    """(test, reason, kind) for every skipped test of the run, in the order seen: the kind is
    the excusing marker (`hardware`, `photos`) or `DEFECT`."""
    found = []
    for report in terminalreporter.stats.get("skipped", []):
        if getattr(report, "wasxfail", None) is not None:
            continue
        keywords = getattr(report, "keywords", {})
        kind = next((name for name in EXCUSED if name in keywords), "DEFECT")
        found.append((report.nodeid, _skip_reason(report), kind))
    return found


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports
        return
    skipped = _skipped(terminalreporter)
    if not skipped:
        terminalreporter.write_line("skipped: none")
        return
    terminalreporter.section(f"skipped: {len(skipped)}", sep="-")
    for nodeid, reason, kind in skipped:
        terminalreporter.write_line(f"[{kind}] {nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput") or os.environ.get(STRICT_SKIPS) != "1":
        return
    if exitstatus != pytest.ExitCode.OK:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    if any(kind == "DEFECT" for _, _, kind in _skipped(reporter)):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
