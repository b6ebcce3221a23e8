"""Codes from images: generated QR codes and barcodes (Chinese UTF-8 + ECI, GBK without ECI,
garbage bytes; rotated, scaled, noisy, at a steep angle), a few images of the BoofCV benchmark
subset when it is there, and the benchmark's own rules (bench/qr.py)."""
from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno

from bench import qr as bench_qr
from drivers.camera.codes import (
    CLAHE_STAGE,
    DEFAULT_STAGES,
    FAST_STAGES,
    Code,
    Stage,
    decode,
    legacy_text,
)

URL = "https://hall.example/t/20261127-A001"
CHINESE = "北京市东城区政务服务中心 取号 A001"


def _boofcv_dir() -> Path:
    """The BoofCV subset (not in the repository: its images carry no licence): where
    $YICIBAN_BOOFCV_QR says, else in `shared/bench/boofcv_qr` beside the checkout or beside any
    folder above it (a worktree or a CI clone sits deeper than the main checkout)."""
    named = os.environ.get("YICIBAN_BOOFCV_QR")
    if named:
        return Path(named)
    here = Path(__file__).resolve()
    for parent in here.parents[2:]:
        found = parent.parent / "shared" / "bench" / "boofcv_qr"
        if found.is_dir():
            return found
    return here.parents[3] / "shared" / "bench" / "boofcv_qr"


BOOFCV = _boofcv_dir()


def qr_image(payload: str | bytes, *, scale: int = 6, border: int = 4, **kw) -> np.ndarray:
    buf = io.BytesIO()
    segno.make_qr(payload, **kw).save(buf, kind="png", scale=scale, border=border)
    return cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)


def barcode_image(text: str, fmt: str) -> np.ndarray:
    zxingcpp = pytest.importorskip("zxingcpp")
    code = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, fmt))
    img = np.asarray(code.to_image(scale=3))
    return cv2.copyMakeBorder(img, 30, 30, 40, 40, cv2.BORDER_CONSTANT, value=255)


def place(img: np.ndarray, size: tuple[int, int], at: tuple[int, int], fill: int = 255) -> np.ndarray:
    canvas = np.full(size, fill, np.uint8)
    y, x = at
    canvas[y : y + img.shape[0], x : x + img.shape[1]] = img
    return canvas


def texts(codes: list[Code]) -> list[str]:
    return [c.text for c in codes]


# -- payloads


def test_a_ticket_url_is_read_with_its_format_and_position():
    img = qr_image(URL, border=0)
    h, w = img.shape
    [code] = decode(place(img, (600, 800), (100, 300)))
    assert (code.text, code.format, code.raw) == (URL, "QRCode", URL.encode())
    assert (code.reader, code.stage) == ("zxing", "zxing")
    x0, y0, x1, y1 = code.rect
    assert abs(x0 - 300) <= 3 and abs(y0 - 100) <= 3 and abs(x1 - (300 + w)) <= 8 and abs(y1 - (100 + h)) <= 8


def test_chinese_in_utf8_with_eci_reads_right():
    [code] = decode(qr_image(CHINESE, encoding="utf-8", eci=True))
    assert code.text == CHINESE
    assert code.raw == CHINESE.encode("utf-8")


def test_gbk_without_eci_is_read_as_gb18030_unless_turned_off():
    img = qr_image(CHINESE.encode("gbk"))
    [code] = decode(img)
    assert code.text == CHINESE and code.raw == CHINESE.encode("gbk")
    [guess] = decode(img, legacy_encoding=None)
    assert guess.text != CHINESE  # the reader's own guess (Latin-1 or Shift_JIS)


def test_legacy_text_only_replaces_a_guess():
    raw = "中文".encode("gbk")
    assert legacy_text(raw, raw.decode("latin-1")) == "中文"
    assert legacy_text(raw, "something an ECI said") == "something an ECI said"
    assert legacy_text(b"plain", "plain") == "plain"
    assert legacy_text("中文".encode(), "中文") == "中文"
    assert legacy_text(b"\xff\xfe\xfd", "\xff\xfe\xfd") == "\xff\xfe\xfd"  # not GB18030 text either


def test_garbage_bytes_and_foreign_urls_are_returned_as_read():
    garbage = bytes(range(0, 256, 3))
    [code] = decode(qr_image(garbage))
    assert code.format == "QRCode" and code.raw == garbage
    [other] = decode(qr_image("https://evil.example/?t=A001"))
    assert other.text == "https://evil.example/?t=A001"


@pytest.mark.parametrize(("fmt", "text"), [("Code128", "A001-20261127"), ("EAN13", "6901234567892"),
                                           ("Code39", "A001")])
def test_barcodes_are_read_and_formats_filter(fmt, text):
    img = barcode_image(text, fmt)
    [code] = decode(img)
    assert (code.text, code.format) == (text, fmt)
    assert decode(img, formats={"QRCode"}) == []
    assert texts(decode(img, formats={fmt}, stages=[Stage("zbar", "zbar")])) == [text]


# -- picture quality


@pytest.fixture(scope="module")
def ticket() -> np.ndarray:
    return place(qr_image(URL, border=0), (400, 400), (80, 80))


@pytest.mark.parametrize("angle", [30, 90, 135, 200])
def test_rotated(ticket, angle):
    m = cv2.getRotationMatrix2D((200, 200), angle, 1.0)
    assert texts(decode(cv2.warpAffine(ticket, m, (400, 400), borderValue=255))) == [URL]


@pytest.mark.parametrize("scale", [0.35, 0.6, 2.5, 6.0])
def test_scaled(ticket, scale):
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_NEAREST
    img = cv2.resize(ticket, None, fx=scale, fy=scale, interpolation=interpolation)
    assert texts(decode(img)) == [URL]


def test_noisy_blurred_dim_and_inverted(ticket):
    rng = np.random.default_rng(7)
    noisy = np.clip(ticket + rng.normal(0, 45, ticket.shape), 0, 255).astype(np.uint8)
    blurred = cv2.GaussianBlur(ticket, (7, 7), 0)
    dim = (ticket / 255 * 50 + 90).astype(np.uint8)  # 50 grey levels of contrast
    shaded = (ticket * np.linspace(0.25, 1.0, 400)[None, :]).astype(np.uint8)  # a shadow across
    for img in (noisy, blurred, dim, shaded, 255 - ticket, cv2.cvtColor(ticket, cv2.COLOR_GRAY2BGR),
                cv2.cvtColor(ticket, cv2.COLOR_GRAY2BGRA)):
        assert texts(decode(img)) == [URL]


def test_a_code_without_quiet_zone_is_read_by_the_binarised_stage():
    img = place(qr_image(URL, border=0), (400, 400), (40, 40))
    img[40 + 258 :, :] = 0  # dark edges touch the code: no quiet zone below and left
    img[:, :40] = 0
    assert decode(img, stages=FAST_STAGES) == []
    [code] = decode(img)
    assert code.text == URL and code.stage == "zbar-binarised"


def test_a_card_at_a_steep_angle_is_read_after_rectifying():
    card = cv2.copyMakeBorder(qr_image(URL, scale=8), 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)
    h, w = card.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[300, 100], [384, 219], [384, 541], [300, 660]])  # a card turned ~80 degrees away
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(card, m, (1024, 768), borderValue=0)
    mask = cv2.warpPerspective(np.full_like(card, 255), m, (1024, 768))
    scene = np.where(mask > 0, warped, 90).astype(np.uint8)
    scene = cv2.GaussianBlur(scene, (3, 3), 0)
    assert decode(scene, stages=FAST_STAGES) == []
    [code] = decode(scene)
    assert code.text == URL and code.stage == "zxing-rectified"
    x0, y0, x1, y1 = code.rect  # mapped back into the scene
    assert 290 <= x0 <= x1 <= 395
    assert 100 <= y0 <= y1 <= 660


def test_first_success_stops_and_exhaustive_finds_every_code():
    a = qr_image(URL, border=0)
    b = qr_image("A002", border=0, scale=3)  # small: only the x2 stage sees it
    img = place(a, (600, 900), (60, 60))
    img[420 : 420 + b.shape[0], 700 : 700 + b.shape[1]] = b
    first = decode(img)
    assert URL in texts(first)
    every = decode(img, exhaustive=True, stages=[*DEFAULT_STAGES, CLAHE_STAGE])
    assert sorted(texts(every)) == sorted([URL, "A002"])
    assert len(every) == len({(c.format, c.text) for c in every})  # one entry per code


def test_images_are_checked():
    assert decode(np.zeros((0, 0), np.uint8)) == []
    assert decode(np.full((50, 50), 255, np.uint8)) == []
    with pytest.raises(ValueError, match="8-bit"):
        decode(np.zeros((10, 10), np.float32))
    with pytest.raises(ValueError, match="shape"):
        decode(np.zeros((10, 10, 2), np.uint8))
    with pytest.raises(ValueError, match="numpy image"):
        decode([[0, 1], [1, 0]])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown code format"):
        decode(np.full((50, 50), 255, np.uint8), formats={"NoSuchCode"})


# -- the BoofCV subset, a few images


def _boofcv(category: str, name: str) -> tuple[np.ndarray, list[list[float]]]:
    path = BOOFCV / category / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (set YICIBAN_BOOFCV_QR to the BoofCV QR subset)")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    return image, bench_qr.load_labels(path.with_suffix(".txt"))


@pytest.mark.photos
@pytest.mark.parametrize(
    ("category", "name", "stage"),
    [
        ("nominal", "image010.jpg", "zxing"),
        ("pathological", "image001.png", "zbar-binarised"),
        ("perspective", "image030.jpg", "zxing-rectified"),
        ("shadows", "image013.jpg", "zxing"),
    ],
)
def test_benchmark_images_are_read_by_the_expected_stage(category, name, stage):
    image, labels = _boofcv(category, name)
    codes = decode(image, formats={"QRCode"})
    assert bench_qr.count_read(labels, [c.rect for c in codes]) == len(labels)
    assert codes[0].stage == stage


@pytest.mark.photos
def test_a_second_code_in_a_benchmark_image_needs_the_exhaustive_mode():
    image, labels = _boofcv("nominal", "image001.jpg")
    assert len(labels) == 2
    assert bench_qr.count_read(labels, [c.rect for c in decode(image, formats={"QRCode"})]) == 1
    every = decode(image, formats={"QRCode"}, exhaustive=True)
    assert bench_qr.count_read(labels, [c.rect for c in every]) == 2


# -- the benchmark's rules and output


def test_labels_in_both_layouts(tmp_path):
    sets = tmp_path / "a.txt"
    sets.write_text("# list of hand selected 2D points\nSETS\n1 2 3 4 5 6 7 8\n9 10 11 12 13 14 15 16\n")
    four = tmp_path / "b.txt"
    four.write_text("# list\n1.5 2\n3 4\n5 6\n7 8\n")
    assert bench_qr.load_labels(sets) == [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]]
    assert bench_qr.load_labels(four) == [[1.5, 2, 3, 4, 5, 6, 7, 8]]


def test_the_overlap_rule_is_more_than_a_fifth_of_the_smaller():
    label = (0.0, 0.0, 10.0, 10.0)
    assert bench_qr.overlaps(label, (0.0, 0.0, 10.0, 2.1))  # 21 of the smaller 21
    assert bench_qr.overlaps(label, (8.0, 0.0, 18.0, 10.0)) is False  # 20 of 100: not more than 20%
    assert bench_qr.overlaps(label, (7.9, 0.0, 17.9, 10.0))
    assert bench_qr.overlaps(label, (10.0, 0.0, 20.0, 10.0)) is False  # touching is not overlapping
    assert bench_qr.nearest_rank([float(i) for i in range(1, 11)], 90) == 9.0


def test_the_bench_prints_one_json_object(tmp_path, capsys):
    for category, payloads in (("easy", ["A001", "A002"]), ("none", [])):
        folder = tmp_path / category
        folder.mkdir()
        for i, payload in enumerate(payloads or ["blank"]):
            if payloads:
                img = place(qr_image(payload, border=0), (300, 300), (50, 60))
            else:
                img = np.full((300, 300), 255, np.uint8)
            cv2.imwrite(str(folder / f"image{i:03d}.png"), img)
            h = qr_image("A001", border=0).shape[0]
            corners = f"60 50\n{60 + h} 50\n{60 + h} {50 + h}\n60 {50 + h}\n"
            (folder / f"image{i:03d}.txt").write_text("# corners\n" + corners)
    out = tmp_path / "qr.json"
    assert bench_qr.main(argparse.Namespace(dir=str(tmp_path), output=str(out), repeat=1)) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out.read_text(encoding="utf-8"))
    ours = printed["readers"]["yiciban"]
    assert ours["categories"]["easy"] == {**ours["categories"]["easy"], "read": 2, "codes": 2, "rate": 1.0}
    assert ours["categories"]["none"]["read"] == 0 and ours["mean_rate"] == 0.5
    assert set(printed["readers"]) == {
        "yiciban", "yiciban_exhaustive", "yiciban_all_formats", "zxing_cpp", "zbar"
    }
    assert printed["targets"]["mean_rate"]["met"] is False
    assert printed["machine"]["opencv_threads"] == 1
    assert bench_qr.main([str(tmp_path / "easy" / "nothing")]) == 1
