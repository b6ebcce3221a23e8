"""Staff photos that are nobody's: a head-and-shoulders silhouette on a plain ground, drawn with
Pillow. The demo hall's photos (assets/halls/demo/staff/*.png) were made with `write_photo`, and
tests make their own the same way. No real face is ever shipped or used."""
from __future__ import annotations

from pathlib import Path

GROUNDS = ("#DCE6F2", "#E3EFE6", "#F2E8DC", "#E9E3F2")


def write_photo(path: Path, seed: int = 0, size: tuple[int, int] = (240, 300)) -> Path:
    """A PNG silhouette at `path` (its ground picked by `seed`); the path."""
    from PIL import Image, ImageDraw

    w, h = size
    image = Image.new("RGB", size, GROUNDS[seed % len(GROUNDS)])
    draw = ImageDraw.Draw(image)
    figure = "#5B6B80"
    draw.ellipse((w * 0.10, h * 0.62, w * 0.90, h * 1.25), fill=figure)  # shoulders
    draw.rectangle((w * 0.42, h * 0.50, w * 0.58, h * 0.68), fill=figure)  # neck
    draw.ellipse((w * 0.30, h * 0.16, w * 0.70, h * 0.58), fill=figure)  # head
    draw.polygon([(w * 0.40, h * 0.70), (w * 0.60, h * 0.70), (w * 0.50, h * 0.86)], fill="#FFFFFF")  # collar
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG", optimize=True)
    return path


def write_hall_with_photo(directory: Path) -> Path:
    """The small test hall (tests.support.halls) with a staff number and a drawn photo for s1
    (王芳, window w1); the path of its hall.toml."""
    from tests.support.halls import small_hall_toml

    directory.mkdir(parents=True, exist_ok=True)
    write_photo(directory / "photos" / "s1.png")
    text = small_hall_toml().replace('username = "wang"\n', 'username = "wang"\nnumber = "3708290001"\n'
                                     'photo = "photos/s1.png"\n', 1)
    assert 'photo = "photos/s1.png"' in text, "the small hall's staff s1 has moved"
    path = directory / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path
