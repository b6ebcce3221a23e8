"""The hall server starts without the libraries only some requests need.

A hall restarts after a crash or a power cut while screens wait for it; each library imported at
start-up costs every restart. The PDF library (notices), the HTTP client (the sync node's
upstream) and the spreadsheet writer (a dashboard export) are imported when first needed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ON_DEMAND = ("reportlab", "requests", "urllib3", "openpyxl")


def test_starting_the_hall_imports_no_library_only_some_requests_need():
    probe = f"import json, sys, hall.app; print(json.dumps([m for m in {ON_DEMAND!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert json.loads(out) == [], f"imported when the hall starts: {out}"


def test_the_probe_sees_a_library_that_is_imported():
    probe = "import json, sys, hall.app, hall.notices.render; print(json.dumps([m for m in ('reportlab',) if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert json.loads(out) == ["reportlab"]
