"""A synthetic desk seen by a document camera: a page or ID card laid on a textured desk, with
shadows, glare, fingers on its edges, blur, noise and JPEG loss; and the page's true corners.

The camera simulator serves these scenes (a page slid in, straightened by a hand, left still),
and `bench/pages_set.py` writes labelled sets of them for `yiciban bench pages`. Two families of
desk texture exist so a detector can be scored on desks it was never tuned on: "tune" and
"unseen". The documents are drawn with PIL in Chinese: a filled-in application form, an ID
card's two sides, a shop receipt.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# width x height in mm of each kind of document the scene can hold
SIZES_MM = {"form": (210.0, 297.0), "idcard_front": (85.6, 54.0), "idcard_back": (85.6, 54.0),
            "receipt": (80.0, 200.0)}
PX_PER_MM = 4.0  # the drawn documents' resolution (about 100 dpi): finer than any camera frame of them
TEXTURES = {"tune": ("wood", "cloth", "laminate", "mat"), "unseen": ("marble", "checker", "gradient", "metal")}


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(str(FONT), size)
    except OSError:
        return ImageFont.load_default()


@lru_cache(maxsize=8)
def document(kind: str, variant: int = 0) -> np.ndarray:
    """The document `kind` drawn flat, BGR, at PX_PER_MM (cached: scenes reuse it)."""
    if kind not in SIZES_MM:
        raise ValueError(f"unknown document kind {kind!r}; known: {', '.join(SIZES_MM)}")
    w_mm, h_mm = SIZES_MM[kind]
    size = (round(w_mm * PX_PER_MM), round(h_mm * PX_PER_MM))
    paper = {"form": (250, 250, 246), "receipt": (244, 242, 236),
             "idcard_front": (226, 232, 236), "idcard_back": (236, 232, 220)}[kind]
    image = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(variant)
    {"form": _draw_form, "receipt": _draw_receipt, "idcard_front": _draw_card_front,
     "idcard_back": _draw_card_back}[kind](draw, size, rng)
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def _draw_form(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: np.random.Generator) -> None:
    w, h = size
    m = 60
    draw.text((w // 2, 90), "政务服务事项申请表", fill=(20, 20, 20), font=_font(40), anchor="mm")
    labels = ["申请人姓名", "证件类型", "证件号码", "联系电话", "通讯地址", "申请事项", "办理方式", "申请日期"]
    top, row = 150, 56
    for i, label in enumerate(labels):
        y = top + i * row
        draw.rectangle((m, y, w - m, y + row), outline=(30, 30, 30), width=2)
        draw.line((m + 190, y, m + 190, y + row), fill=(30, 30, 30), width=2)
        draw.text((m + 12, y + 16), label, fill=(20, 20, 20), font=_font(22))
        value = "".join(chr(int(c)) for c in rng.integers(0x4E00, 0x62FF, int(rng.integers(4, 12))))
        draw.text((m + 206, y + 14), value, fill=(30, 40, 120), font=_font(24))
    y = top + len(labels) * row + 40
    for _ in range(12):
        line = "".join(chr(int(c)) for c in rng.integers(0x4E00, 0x62FF, 26))
        draw.text((m, y), line, fill=(40, 40, 40), font=_font(20))
        y += 34
    draw.ellipse((w - 260, h - 300, w - 90, h - 130), outline=(200, 30, 30), width=5)
    draw.text((w - 175, h - 215), "专用章", fill=(200, 30, 30), font=_font(26), anchor="mm")


def _draw_receipt(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: np.random.Generator) -> None:
    w, _ = size
    draw.text((w // 2, 50), "收 款 收 据", fill=(10, 10, 10), font=_font(30), anchor="mm")
    y = 100
    for _ in range(16):
        item = "".join(chr(int(c)) for c in rng.integers(0x4E00, 0x62FF, 5))
        draw.text((20, y), item, fill=(30, 30, 30), font=_font(20))
        draw.text((w - 20, y), f"{rng.integers(1, 999)}.{rng.integers(0, 99):02d}", fill=(30, 30, 30),
                  font=_font(20), anchor="ra")
        y += 40
    draw.line((20, y + 10, w - 20, y + 10), fill=(30, 30, 30), width=2)
    draw.text((20, y + 30), "合计", fill=(10, 10, 10), font=_font(24))


def _draw_card_front(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: np.random.Generator) -> None:
    w, h = size
    for label, y in (("姓名", 40), ("性别", 90), ("出生", 140), ("住址", 190)):
        draw.text((30, y), label, fill=(60, 90, 140), font=_font(18))
        value = "".join(chr(int(c)) for c in rng.integers(0x4E00, 0x62FF, 3 if y < 190 else 9))
        draw.text((90, y - 2), value, fill=(20, 20, 20), font=_font(20))
    draw.text((30, h - 45), "公民身份号码", fill=(60, 90, 140), font=_font(16))
    draw.text((150, h - 48), "110101********1234", fill=(20, 20, 20), font=_font(20))
    draw.rectangle((w - 120, 40, w - 25, 160), fill=(180, 190, 200))


def _draw_card_back(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: np.random.Generator) -> None:
    w, h = size
    draw.ellipse((25, 20, 95, 90), outline=(200, 40, 40), width=4)
    draw.text((w // 2 + 30, 60), "中华人民共和国", fill=(20, 20, 20), font=_font(24), anchor="mm")
    draw.text((w // 2 + 30, 105), "居民身份证", fill=(20, 20, 20), font=_font(32), anchor="mm")
    draw.text((60, h - 70), "签发机关  某市公安局", fill=(20, 20, 20), font=_font(16))
    draw.text((60, h - 40), f"有效期限  20{rng.integers(10, 24)}.01.01-长期", fill=(20, 20, 20), font=_font(16))


def texture(name: str, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A desk surface, BGR uint8."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    noise = cv2.resize(rng.normal(0, 1, (height // 16 + 1, width // 16 + 1)).astype(np.float32),
                       (width, height), interpolation=cv2.INTER_CUBIC)
    fine = rng.normal(0, 1, (height, width)).astype(np.float32)
    if name == "wood":
        v = 0.5 + 0.25 * np.sin(ys * 0.05 + noise * 2.5) + 0.05 * fine
        base = np.array([40, 80, 130], np.float32)
    elif name == "cloth":
        v = 0.55 + 0.1 * noise + 0.12 * fine
        base = np.array([rng.uniform(40, 120), rng.uniform(30, 80), rng.uniform(20, 60)], np.float32)
    elif name == "laminate":
        v = 0.85 + 0.05 * noise + 0.06 * fine
        base = np.array([150, 150, 145], np.float32)
    elif name == "mat":
        grid = ((xs % 40 < 2) | (ys % 40 < 2)).astype(np.float32)
        v = 0.6 + 0.5 * grid + 0.04 * fine
        base = np.array([70, 110, 40], np.float32)
    elif name == "marble":
        v = 0.85 + 0.12 * np.sin(xs * 0.01 + ys * 0.02 + noise * 4) + 0.03 * fine
        base = np.array([205, 205, 200], np.float32)
    elif name == "checker":
        v = 0.6 + 0.35 * (((xs // 30) + (ys // 30)) % 2) + 0.04 * fine
        base = np.array([60, 60, 170], np.float32)
    elif name == "gradient":
        v = 0.4 + 0.6 * xs / width + 0.03 * fine
        base = np.array([150, 90, 40], np.float32)
    elif name == "metal":
        streak = cv2.blur(rng.normal(0, 1, (height, width)).astype(np.float32), (41, 1))
        v = 0.7 + 0.6 * streak + 0.05 * noise
        base = np.array([150, 150, 155], np.float32)
    else:
        raise ValueError(f"unknown desk texture {name!r}")
    return np.clip(base[None, None, :] * v[:, :, None], 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Effects:
    """What makes a frame hard; zero everywhere is a clean photo."""

    shadow: float = 0.0  # darkest share removed by a light gradient across the frame (0..0.6)
    glare: float = 0.0  # brightness added at a glare spot's centre (0..200)
    fingers: int = 0  # fingers holding the page's edges
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 0.0  # Gaussian noise sigma in grey levels
    jpeg: int = 0  # JPEG quality the frame went through (0: none)


def place(kind: str, width: int, height: int, rng: np.random.Generator, *,
          fill: tuple[float, float] = (0.35, 0.8), tilt: float = 0.06, turn: float = 25.0) -> np.ndarray:
    """Random true corners (tl, tr, br, bl of the document) for `kind`, wholly inside a `width` x
    `height` frame."""
    w_mm, h_mm = SIZES_MM[kind]
    share = rng.uniform(*fill) if not kind.startswith("idcard") else rng.uniform(0.2, 0.4)
    scale = share * height / max(w_mm, h_mm)
    half = np.array([[-w_mm, -h_mm], [w_mm, -h_mm], [w_mm, h_mm], [-w_mm, h_mm]], np.float32) * scale / 2
    angle = np.deg2rad(rng.uniform(-turn, turn) + (90.0 if rng.random() < 0.15 else 0.0))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    corners = half @ rot.T
    corners += rng.normal(0, tilt * float(np.abs(half).max()), corners.shape).astype(np.float32)
    span = corners.max(axis=0) - corners.min(axis=0)
    frame = np.array([width, height], np.float32)
    corners *= min(1.0, float((0.96 * frame / span).min()))  # a turned page still lies wholly in view
    span = corners.max(axis=0) - corners.min(axis=0)
    room = np.maximum(frame - span, 1)
    offset = rng.uniform(0.05, 0.95, 2).astype(np.float32) * room - corners.min(axis=0)
    return (corners + offset).astype(np.float32)


def render(kind: str, corners: np.ndarray, desk: np.ndarray, effects: Effects,
           rng: np.random.Generator, variant: int = 0) -> np.ndarray:
    """The desk with the document's corners at `corners`, and the effects applied; BGR uint8."""
    height, width = desk.shape[:2]
    doc = document(kind, variant)
    src = np.array([[0, 0], [doc.shape[1], 0], [doc.shape[1], doc.shape[0]], [0, doc.shape[0]]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    frame = desk.copy()
    warped = cv2.warpPerspective(doc, matrix, (width, height), flags=cv2.INTER_AREA)
    mask = np.zeros((height, width), np.uint8)
    cv2.fillConvexPoly(mask, np.round(corners * 16).astype(np.int32), 255, cv2.LINE_AA, 4)
    alpha = mask.astype(np.float32)[:, :, None] / 255
    frame = (frame * (1 - alpha) + warped * alpha).astype(np.float32)
    for _ in range(effects.fingers):
        _finger(frame, corners, rng)
    if effects.shadow:
        frame *= _shadow(width, height, effects.shadow, rng)[:, :, None]
    if effects.glare:
        cx, cy = corners.mean(axis=0) + rng.normal(0, 0.15, 2) * [width, height]
        ys, xs = np.ogrid[0:height, 0:width]
        radius = rng.uniform(0.04, 0.12) * width
        frame += effects.glare * np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * radius**2))[:, :, None]
    if effects.blur:
        frame = cv2.GaussianBlur(frame, (0, 0), effects.blur)
    if effects.noise:
        frame += rng.normal(0, effects.noise, frame.shape).astype(np.float32)
    out = np.clip(frame, 0, 255).astype(np.uint8)
    if effects.jpeg:
        _, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, effects.jpeg])
        out = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return out


def _shadow(width: int, height: int, depth: float, rng: np.random.Generator) -> np.ndarray:
    return _shadow_map(width, height, depth, rng.uniform(0, 2 * np.pi))


@lru_cache(maxsize=4)
def _shadow_map(width: int, height: int, depth: float, angle: float) -> np.ndarray:
    """A lamp's shadow across the frame, the same for every frame of a script under one lamp
    (made once: at 1080p it costs more than the rest of a frame); read-only."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ramp = (np.cos(angle) * xs / width + np.sin(angle) * ys / height)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    shadow = (1 - depth * ramp).astype(np.float32)
    shadow.flags.writeable = False
    return shadow


def _finger(frame: np.ndarray, corners: np.ndarray, rng: np.random.Generator) -> None:
    """A finger from outside the page pressing on one of its edges."""
    side = int(rng.integers(4))
    a, b = corners[side], corners[(side + 1) % 4]
    at = a + (b - a) * rng.uniform(0.2, 0.8)
    centre = corners.mean(axis=0)
    outward = at - centre
    outward /= max(float(np.linalg.norm(outward)), 1e-6)
    thickness = max(8, int(0.018 * frame.shape[1]))
    tip = at - outward * thickness * rng.uniform(0.5, 1.5)
    root = at + outward * thickness * 8
    skin = np.array([rng.uniform(110, 150), rng.uniform(140, 170), rng.uniform(190, 225)])
    cv2.line(frame, tuple(int(v) for v in root), tuple(int(v) for v in tip), skin.tolist(), thickness,
             cv2.LINE_AA)


def random_effects(rng: np.random.Generator) -> Effects:
    return Effects(
        shadow=float(rng.uniform(0, 0.5)) if rng.random() < 0.6 else 0.0,
        glare=float(rng.uniform(40, 160)) if rng.random() < 0.4 else 0.0,
        fingers=int(rng.integers(0, 3)) if rng.random() < 0.5 else 0,
        blur=float(rng.uniform(0.3, 1.8)) if rng.random() < 0.5 else 0.0,
        noise=float(rng.uniform(1, 8)) if rng.random() < 0.6 else 0.0,
        jpeg=int(rng.integers(55, 92)),
    )


def scene(kind: str, family: str, width: int, height: int,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One random labelled frame: the image, and the document's true corners (tl, tr, br, bl)."""
    names = TEXTURES[family]
    desk = texture(names[int(rng.integers(len(names)))], width, height, rng)
    corners = place(kind, width, height, rng)
    return render(kind, corners, desk, random_effects(rng), rng, int(rng.integers(4))), corners


@dataclass(frozen=True)
class Script:
    """A scripted desk for the simulator: frames, each frame's true corners, and whether the page
    lies still in it (it moves while slid in and while a hand straightens it)."""

    frames: tuple[np.ndarray, ...]
    corners: tuple[np.ndarray, ...]
    still: tuple[bool, ...]
    fps: float


def laid_down(kind: str = "form", width: int = 960, height: int = 540, fps: float = 10.0, seed: int = 0,
              *, move: float = 1.5, rest: float = 1.5, straighten: bool = True) -> Script:
    """A page slid in with a finger on its edge, left to rest; then (unless not `straighten`)
    straightened by the hand and left to rest again. The light stays; sensor noise changes every frame, as a real camera's does
    (the simulator adds the JPEG loss)."""
    rng = np.random.default_rng(seed)
    desk = texture(TEXTURES["tune"][seed % len(TEXTURES["tune"])], width, height, rng)
    start = place(kind, width, height, rng, turn=35.0) + np.array([width * 0.3, 0], np.float32)
    crooked = place(kind, width, height, rng, turn=20.0)
    centre = crooked.mean(axis=0)
    straight = centre + (crooked - centre) @ _rotation(-_angle(crooked)).T
    poses: list[tuple[np.ndarray, bool, int]] = []
    for a, b in ((start, crooked), (crooked, straight))[: 2 if straighten else 1]:
        steps = max(2, round(move * fps))
        poses += [(a + (b - a) * (i + 1) / steps, False, 1) for i in range(steps)]
        poses += [(b, True, 0)] * max(1, round(rest * fps))
    frames, corners, still = [], [], []
    light = int(rng.integers(1 << 30))  # one lamp and one shadow for the whole script
    for quad, resting, fingers in poses:
        frame = render(kind, quad, desk, Effects(shadow=0.3, fingers=fingers), np.random.default_rng(light))
        noise = rng.standard_normal(frame.shape, dtype=np.float32)
        noise *= 3.0
        noise += frame
        frames.append(np.clip(noise, 0, 255).astype(np.uint8))
        corners.append(quad.astype(np.float32))
        still.append(resting)
    return Script(tuple(frames), tuple(corners), tuple(still), fps)


def _angle(quad: np.ndarray) -> float:
    top = quad[1] - quad[0]
    return float(np.arctan2(top[1], top[0]))


def _rotation(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
