"""A fake camera: a directory of images served as an MJPEG stream over HTTP, as IP cameras do.

`yiciban sim camera (--dir DIR | --desk KIND) [--tcp PORT] [--fps N] [--hold S]` prints
`listening http://127.0.0.1:PORT/video.mjpg` first, then serves until interrupted. Every client
gets the images of DIR (*.png, *.jpg, *.jpeg, *.bmp, in name order) in a loop, each shown for
`--hold` seconds at `--fps` frames a second, letterboxed onto the size of the first image (a
camera's frames all have one size). With `--desk form|idcard_front|idcard_back|receipt` it is a
document camera over a synthetic desk instead (drivers/camera/desk.py): the page is slid in by a
hand, rests, is straightened, rests again, in a loop, at `--fps`. `Capture("http://127.0.0.1:PORT/video.mjpg")` and the
camera doctor open it like a real camera; OpenCV reads it through its FFmpeg backend.
"""
from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np

from drivers.simserve import serve_commands

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
BOUNDARY = "yicibanframe"


def letterbox(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """`image` scaled to fit `width` x `height`, centred on grey."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    resized = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))))
    canvas = np.full((height, width, 3), 128, np.uint8)
    y, x = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    canvas[y : y + resized.shape[0], x : x + resized.shape[1]] = resized
    return canvas


def encode(images: list[np.ndarray], quality: int = 90) -> list[bytes]:
    out = []
    for img in images:
        ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            out.append(jpeg.tobytes())
    return out


def load_frames(directory: str | Path, quality: int = 90) -> list[bytes]:
    """The directory's images as JPEG frames of one size; ValueError when there are none."""
    paths = sorted(p for p in Path(directory).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    images = [img for img in (cv2.imread(str(p), cv2.IMREAD_COLOR) for p in paths) if img is not None]
    if not images:
        raise ValueError(f"no readable images in {directory}")
    height, width = images[0].shape[:2]
    return encode([img if img.shape[:2] == (height, width) else letterbox(img, width, height) for img in images],
                  quality)


class CameraSimulator:
    """Serves `frames` (JPEG bytes) as multipart MJPEG at /video.mjpg on 127.0.0.1:`port`."""

    def __init__(self, frames: list[bytes], *, port: int = 0, fps: float = 10.0, hold: float = 1.0) -> None:
        self.frames, self.fps, self.hold = frames, fps, hold
        self._stop = threading.Event()
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] not in ("/", "/video.mjpg"):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                sim._stream(self.wfile)

            def log_message(self, format: str, *args: object) -> None:
                log.debug("camera simulator: " + format, *args)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="camera-sim", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/video.mjpg"

    def start(self) -> CameraSimulator:
        self._thread.start()
        return self

    def _stream(self, out: BinaryIO) -> None:
        start = time.monotonic()
        period = 1.0 / self.fps
        n = 0
        while not self._stop.is_set():
            shown = int((time.monotonic() - start) / self.hold) % len(self.frames)
            jpeg = self.frames[shown]
            head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
            try:
                out.write(head.encode("ascii") + jpeg + b"\r\n")
                out.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return
            n += 1
            self._stop.wait(max(0.0, start + n * period - time.monotonic()))

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def sim_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yiciban sim camera", description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--dir", help="directory of images to show")
    source.add_argument("--desk", metavar="KIND", help="a synthetic desk with this document laid on it "
                        "(form, idcard_front, idcard_back, receipt)")
    parser.add_argument("--tcp", type=int, default=0, metavar="PORT", help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--pty", action="store_true", help=argparse.SUPPRESS)  # a camera has none
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--hold", type=float, default=1.0, help="seconds each image is shown")
    args = parser.parse_args(argv)
    if args.pty:
        parser.error("a camera is served over --tcp, not a pty")
    try:
        if args.desk:
            from drivers.camera.desk import laid_down

            frames, args.hold = encode(list(laid_down(args.desk, fps=args.fps).frames)), 1.0 / args.fps
        else:
            frames = load_frames(args.dir)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    sim = CameraSimulator(frames, port=args.tcp, fps=args.fps, hold=args.hold).start()
    print(f"listening {sim.url}", flush=True)  # noqa: T201
    return serve_commands(None, sim.close)


if __name__ == "__main__":
    sys.exit(sim_main(sys.argv[1:]))
