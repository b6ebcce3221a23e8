"""What every test process shares: Qt offscreen, and the report of what the run skipped.

A skip is a defect unless the test needs a real device (`@pytest.mark.hardware`, left out of
`make test`): at the end of every run the suite lists each skipped test and why, so a missing
package or tool is seen rather than passed over. With `YICIBAN_STRICT_SKIPS=1` (set by CI) a
skip of any test not marked `hardware` fails the run.
"""
from __future__ import annotations

import os

import pytest

# Qt must never look for a display in tests; set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

STRICT_SKIPS = "YICIBAN_STRICT_SKIPS"


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason pytest recorded for a skip: its longrepr is (file, line, 'Skipped: reason')."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _skipped(terminalreporter) -> list[tuple[str, str, bool]]:
    """(test, reason, needs hardware) for every skipped test of the run, in the order seen."""
    found = []
    for report in terminalreporter.stats.get("skipped", []):
        if getattr(report, "wasxfail", None) is not None:
            continue
        hardware = "hardware" in getattr(report, "keywords", {})
        found.append((report.nodeid, _skip_reason(report), hardware))
    return found


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports
        return
    skipped = _skipped(terminalreporter)
    if not skipped:
        terminalreporter.write_line("skipped: none")
        return
    terminalreporter.section(f"skipped: {len(skipped)}", sep="-")
    for nodeid, reason, hardware in skipped:
        kind = "hardware" if hardware else "DEFECT"
        terminalreporter.write_line(f"[{kind}] {nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput") or os.environ.get(STRICT_SKIPS) != "1":
        return
    if exitstatus != pytest.ExitCode.OK:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    if any(not hardware for _, _, hardware in _skipped(reporter)):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
