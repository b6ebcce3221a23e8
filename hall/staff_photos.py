"""The staff's photos on the window's evaluation pad (亮牌上岗): each staff member's `photo` in
the hall config is a PNG or JPEG file, named relative to hall.toml or absolutely.

`resolved` makes each path absolute when the config is loaded and refuses, naming the staff
entry, a photo that is missing, not a PNG or JPEG, or larger than `MAX_BYTES`: a wrong photo is
found by `yiciban config check`, not by a blank pad. `answer` is what the hall sends a screen
that asks for one (`GET /api/v1/staff/{id}/photo`): the image as base64 in JSON, read afresh so
a replaced file shows without a restart.
"""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from hall.config_issues import ConfigError, ConfigIssue
from hall.domain.errors import NotFound

MAX_BYTES = 256 * 1024
KINDS = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def media_type(data: bytes) -> str | None:
    """image/png or image/jpeg by the file's first bytes; None for anything else."""
    return next((kind for magic, kind in KINDS.items() if data.startswith(magic)), None)


def _problem(path: Path) -> str | None:
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    if size > MAX_BYTES:
        return f"{size} bytes (at most {MAX_BYTES})"
    if media_type(head) is None:
        return "a file that is not a PNG or JPEG image"
    return None


def resolved(cfg: Any, file: str) -> Any:
    """`cfg` (a hall.config.HallConfig, which imports this module) with each staff photo's path absolute; ConfigError naming every unusable photo."""
    base = Path(file).resolve().parent
    staff, issues = [], []
    for i, s in enumerate(cfg.staff):
        if not s.photo:
            staff.append(s)
            continue
        path = Path(s.photo) if Path(s.photo).is_absolute() else base / s.photo
        problem = _problem(path)
        if problem is not None:
            issues.append(ConfigIssue(file, f"staff[{i}].photo", "a PNG or JPEG photo file", f"{problem}: {path}"))
        staff.append(s.model_copy(update={"photo": str(path)}))
    if issues:
        raise ConfigError(issues)
    return cfg.model_copy(update={"staff": staff})


def answer(cfg: Any, staff_id: str) -> dict[str, Any]:
    """The photo of `staff_id` for a screen: {"staff", "media_type", "data" (base64)}."""
    member = next((s for s in cfg.staff if s.id == staff_id), None)
    if member is None:
        raise NotFound(f"没有工作人员 {staff_id!r}（no such staff member）", staff=staff_id)
    if not member.photo:
        raise NotFound(f"工作人员 {staff_id} 没有照片（no photo in the hall config）", staff=staff_id)
    try:
        data = Path(member.photo).read_bytes()
    except OSError:
        raise NotFound(f"工作人员 {staff_id} 的照片文件读不到（the photo file is gone）", staff=staff_id) from None
    kind = media_type(data)
    if kind is None or len(data) > MAX_BYTES:
        raise NotFound(f"工作人员 {staff_id} 的照片不是可用的图片（not a PNG or JPEG within the size）",
                       staff=staff_id)
    return {"staff": staff_id, "media_type": kind, "data": base64.b64encode(data).decode("ascii")}
