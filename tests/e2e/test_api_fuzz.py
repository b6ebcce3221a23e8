"""schemathesis against the committed OpenAPI, on a real server process: no input makes a 5xx."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.logscan import find_personal_data

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "docs" / "openapi" / "hall.json"
HOOKS = REPO / "tests" / "support" / "st_hooks.py"  # a serializer for the PDF pages' body
ST = Path(sys.executable).with_name("st")
# the soak's time budget: fuzzing and stateful runs repeat until it is spent; with the server's
# start, schemathesis' own start and its report, the test ends well inside SOAK_SECONDS + 180
SOAK_SECONDS = 90


def run_schemathesis(server, seconds: int, examples: int, tmp_path: Path) -> subprocess.CompletedProcess:
    cmd = [str(ST), "run", str(SCHEMA), "--url", server.base_url,
           "-H", f"Authorization: Bearer {server.tokens['operator']}",
           "--checks", "not_a_server_error", "--max-examples", str(examples),
           "--max-time", str(seconds), "--seed", "20261127", "--no-color",
           "--report-dir", str(tmp_path)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, cwd=tmp_path,
                          env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": str(HOOKS)})


@pytest.mark.skipif(not ST.exists(), reason="schemathesis is not installed in this environment")
def test_no_server_error_for_any_generated_request(hall_server, tmp_path):
    result = run_schemathesis(hall_server, seconds=6, examples=8, tmp_path=tmp_path)  # the soak runs 90 s
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Exception in ASGI application" not in hall_server.log_text()
    # whatever the fuzzer sent, the server's log holds no ID number in clear
    assert find_personal_data(hall_server.log_text()) == []


@pytest.mark.soak
@pytest.mark.skipif(not ST.exists(), reason="schemathesis is not installed in this environment")
@pytest.mark.timeout(SOAK_SECONDS + 180)
def test_fuzz_soak(hall_server, tmp_path):
    result = run_schemathesis(hall_server, seconds=SOAK_SECONDS, examples=200, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Exception in ASGI application" not in hall_server.log_text()
    assert find_personal_data(hall_server.log_text()) == []
    print("fuzz soak, schemathesis' summary:", *result.stdout.strip().splitlines()[-14:], sep="\n")
