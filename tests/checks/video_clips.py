"""Complaint clips made in code with PyAV from real photos (tests and benchmarks/video_check.py).

Each clip is what a fraudster's tool or a phone produces: a slow pan/zoom over a picture (the "Ken Burns"
effect of video editors and AI video apps), encoded H.264 in MP4 at phone-like settings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Painter = Callable[[Image.Image], Image.Image]


def paint_stain(image: Image.Image, box: tuple[float, float, float, float] = (0.42, 0.40, 0.62, 0.58)) -> Image.Image:
    """A dark, soft-edged stain over ``box`` (fractions of width/height), as refund fraud paints one."""
    out = image.convert("RGB").copy()
    w, h = out.size
    x0, y0, x1, y1 = int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)
    mask = Image.new("L", out.size, 0)
    ImageDraw.Draw(mask).ellipse((x0, y0, x1, y1), fill=220)
    mask = mask.filter(ImageFilter.GaussianBlur(max(2, (x1 - x0) // 12)))
    stain = Image.new("RGB", out.size, (70, 52, 30))
    return Image.composite(stain, out, mask)


def stain_box_px(image: Image.Image, box: tuple[float, float, float, float] = (0.42, 0.40, 0.62, 0.58)) -> tuple:
    w, h = image.size
    return (int(box[0] * w), int(box[1] * h), int((box[2] - box[0]) * w), int((box[3] - box[1]) * h))


def pan_clip(
    picture: Image.Image,
    path: Path,
    seconds: float = 4.0,
    fps: int = 15,
    size: tuple[int, int] = (640, 480),
    zoom: tuple[float, float] = (0.85, 0.65),
    codec: str = "libx264",
    gop: int | None = None,
    rotation: int = 0,
    crf: int = 23,
) -> Path:
    """Encode a slow zoom/pan over ``picture``: the visible window shrinks from ``zoom[0]`` to ``zoom[1]`` of the
    picture while its centre drifts right. ``rotation`` stores the frames turned and flags the display rotation
    (a phone held upright)."""
    pic = picture.convert("RGB")
    pw, ph = pic.size
    n = max(1, int(seconds * fps))
    container = av.open(str(path), mode="w")
    stream = container.add_stream(codec, rate=fps)
    out_w, out_h = size if rotation in (0, 180) else (size[1], size[0])
    stream.width, stream.height = out_w, out_h
    stream.pix_fmt = "yuv420p"
    options = {"crf": str(crf), "preset": "veryfast"} if codec == "libx264" else {}
    if gop:
        stream.codec_context.gop_size = gop
    stream.options = options
    if rotation:
        stream.set_display_rotation(rotation)
    aspect = size[0] / size[1]
    for i in range(n):
        t = i / max(1, n - 1)
        z = zoom[0] + (zoom[1] - zoom[0]) * t
        cw = min(pw, ph * aspect) * z
        ch = cw / aspect
        cx = pw / 2 + (t - 0.5) * (pw - cw) * 0.5
        cy = ph / 2
        box = (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2)
        frame_img = pic.resize(size, Image.Resampling.BILINEAR, box=box)
        if rotation:
            frame_img = frame_img.rotate(-rotation, expand=True)  # stored turned; the player turns it back
        frame = av.VideoFrame.from_ndarray(np.asarray(frame_img), format="rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def slideshow_clip(
    pictures: list[Image.Image], path: Path, seconds_each: float = 1.5, fps: int = 10, one_keyframe: bool = False
) -> Path:
    """Cut between still pictures (scene changes), 640x480 H.264. ``one_keyframe``: the encoder puts no key frame
    at the cuts (x264 scenecut off, a GOP longer than the clip), as screen recorders and some phones do."""
    container = av.open(str(path), mode="w")
    stream = container.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
    stream.options = {"preset": "veryfast", **({"x264-params": "scenecut=0:keyint=1000"} if one_keyframe else {})}
    for pic in pictures:
        arr = np.asarray(pic.convert("RGB").resize((640, 480), Image.Resampling.BILINEAR))
        for _ in range(int(seconds_each * fps)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def audio_only_clip(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 with an AAC audio stream and no video stream."""
    container = av.open(str(path), mode="w")
    stream = container.add_stream("aac", rate=44100)
    stream.layout = "mono"
    samples = int(seconds * 44100)
    tone = (0.2 * np.sin(np.arange(samples) * 2 * np.pi * 440 / 44100)).astype(np.float32)[None, :]
    frame = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
    frame.sample_rate = 44100
    for packet in stream.encode(frame):
        container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def recut_clip(source: Path, path: Path, start_s: float, end_s: float, painter: Painter | None = None) -> Path:
    """Cut ``start_s``..``end_s`` out of ``source`` and re-encode it (smaller, CRF 30), painting each frame."""
    src = av.open(str(source))
    container = av.open(str(path), mode="w")
    stream = container.add_stream("libx264", rate=15)
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": "30", "preset": "veryfast"}
    opened = False
    for frame in src.decode(src.streams.video[0]):
        t = float(frame.time or 0.0)
        if not start_s <= t <= end_s:
            continue
        image = frame.to_image().convert("RGB")
        image = image.resize((image.width * 3 // 4 // 2 * 2, image.height * 3 // 4 // 2 * 2), Image.Resampling.BILINEAR)
        if painter is not None:
            image = painter(image)
        if not opened:
            stream.width, stream.height = image.size
            opened = True
        for packet in stream.encode(av.VideoFrame.from_ndarray(np.asarray(image), format="rgb24")):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    src.close()
    return path
