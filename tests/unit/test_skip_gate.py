"""CI's gate on skips (`YICIBAN_STRICT_SKIPS=1`): a skipped test fails the run unless it is
marked as needing what a clone cannot have (a real device, the unlicensed photographs)."""
from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CONFTEST = """
from tests.conftest import pytest_sessionfinish, pytest_terminal_summary  # noqa: F401
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, marker: str | None,
         strict: bool) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\nmarkers =\n    hardware: x\n    photos: y\n")
    mark = f"@pytest.mark.{marker}\n" if marker else ""
    pytester.makepyfile(test_one=f"import pytest\n\n{mark}def test_skips():\n    pytest.skip('not here')\n\n"
                                  "def test_passes():\n    assert True\n")
    monkeypatch.setenv("YICIBAN_STRICT_SKIPS", "1" if strict else "0")
    # the inner run needs none of the installed plugins; each would cost it its import (3 s → 0.4 s)
    plugins = ("cacheprovider", "xdist", "schemathesis", "anyio", "hypothesispytest", "pytest-qt", "timeout")
    return pytester.runpytest_subprocess(*[arg for name in plugins for arg in ("-p", f"no:{name}")])


@pytest.mark.parametrize("marker", ["hardware", "photos"])
def test_an_excused_skip_passes_strict_mode_and_is_named(pytester, monkeypatch, marker, request):
    monkeypatch.setenv("PYTHONPATH", str(request.config.rootpath))
    result = _run(pytester, monkeypatch, marker, strict=True)
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"[[]{marker}[]] test_one.py::test_skips: not here"])


def test_any_other_skip_fails_strict_mode_and_only_strict_mode(pytester, monkeypatch, request):
    monkeypatch.setenv("PYTHONPATH", str(request.config.rootpath))
    strict = _run(pytester, monkeypatch, None, strict=True)
    assert strict.ret == pytest.ExitCode.TESTS_FAILED
    strict.stdout.fnmatch_lines(["[[]DEFECT[]] test_one.py::test_skips: not here"])
    relaxed = _run(pytester, monkeypatch, None, strict=False)
    assert relaxed.ret == 0
