"""Turn a screenshot of a QR code into a .y4m file that Chromium's fake camera plays in a loop."""

import io
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 640, 480


def qr_png_to_y4m(png: bytes, path: Path, frames: int = 15) -> Path:
    code = Image.open(io.BytesIO(png)).convert("RGB")
    side = int(HEIGHT * 0.8)
    code = code.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    frame.paste(code, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    return frame_to_y4m(frame, path, frames)


def frame_to_y4m(frame: Image.Image, path: Path, frames: int) -> Path:
    """One picture repeated as a .y4m clip (YUV 4:2:0 at 15 frames a second)."""
    width, height = frame.size
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path
