"""Make the smoke test's complaint video and AI-marked photo from the demo shop (build time, not shipped).

    python installers/make-smoke-media.py OUT_DIR

- ``OUT_DIR/complaint-bag-stain.mp4``: a 3 s H.264 pan/zoom over the demo complaint photo (a fraudster's
  "video" of a listing photo, tests/checks/video_clips.py), encoded with PyAV: the installed app must decode it
  and find the library photo it shows (its own FFmpeg, av.libs, and the video check must be in the bundle).
- ``OUT_DIR/complaint-bulb-marked.jpg``: the demo bulb complaint with Doubao's visible mark "豆包AI生成" drawn in a
  corner as the generator draws it (tests/checks/visible_mark_support.py): the installed app must read it by OCR
  (the PP-OCR models must be in the bundle, and cv2's DNN module must run them).
Needs the build environment's Pillow, numpy and PyAV (the repository's .venv).
"""

from __future__ import annotations

import sys
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
COMPLAINTS = REPO / "resources" / "demo" / "complaints"
FONT = REPO / "resources" / "fonts" / "wqy-microhei.ttc"


def pan_clip(
    picture: Image.Image, path: Path, seconds: float = 3.0, fps: int = 10, size: tuple[int, int] = (640, 480)
) -> None:
    """A slow zoom from 90 % to 75 % of the picture while the window drifts right."""
    pw, ph = picture.size
    n = int(seconds * fps)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "23", "preset": "veryfast"}
        aspect = size[0] / size[1]
        for i in range(n):
            t = i / (n - 1)
            cw = min(pw, ph * aspect) * (0.9 - 0.15 * t)
            ch = cw / aspect
            cx = pw / 2 + (t - 0.5) * (pw - cw) * 0.5
            box = (cx - cw / 2, ph / 2 - ch / 2, cx + cw / 2, ph / 2 + ch / 2)
            frame = picture.resize(size, Image.Resampling.BILINEAR, box=box)
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.asarray(frame), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def marked(photo: Image.Image, text: str = "豆包AI生成") -> Image.Image:
    """White text with a soft shadow, 1/14 of the photo's height, in the bottom-right corner."""
    px = max(24, photo.height // 14)
    font = ImageFont.truetype(str(FONT), px)
    layer = Image.new("RGBA", photo.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x, y = photo.width - (right - left) - px // 2, photo.height - (bottom - top) - px // 2
    draw.text((x - left + 1, y - top + 1), text, font=font, fill=(0, 0, 0, 110))
    draw.text((x - left, y - top), text, font=font, fill=(255, 255, 255, 230))
    return Image.alpha_composite(photo.convert("RGBA"), layer).convert("RGB")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with Image.open(COMPLAINTS / "complaint-bag-stain.jpg") as im:
        pan_clip(im.convert("RGB"), out / "complaint-bag-stain.mp4")
    with Image.open(COMPLAINTS / "complaint-bulb-resaved.jpg") as im:
        marked(im.convert("RGB")).save(out / "complaint-bulb-marked.jpg", quality=92)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
