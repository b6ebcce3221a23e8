"""How every benchmark hands back its report: indented JSON on stdout, and the same in a file
when `--output` names one."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def emit(report: dict[str, Any], output: str | None) -> None:
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
