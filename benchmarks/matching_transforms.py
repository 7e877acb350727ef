"""Complaint-photo transformations with known truth, shared by the matching benchmark and tests.

Every function takes an RGB image and a ``random.Random`` and returns the new image plus the
painted box (x, y, w, h) in the output's coordinates when it painted a defect.
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

Box = tuple[int, int, int, int]


def jpeg(im: Image.Image, quality: int = 40) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def resize(im: Image.Image, factor: float = 0.25) -> Image.Image:
    return im.resize((max(1, round(im.width * factor)), max(1, round(im.height * factor))), Image.Resampling.LANCZOS)


def crop(im: Image.Image, rng: random.Random, keep: float = 0.4) -> Image.Image:
    aspect = rng.uniform(0.75, 1.33)
    w = min(im.width, round((keep * im.width * im.height * aspect) ** 0.5))
    h = min(im.height, round(keep * im.width * im.height / w))
    x, y = rng.randint(0, im.width - w), rng.randint(0, im.height - h)
    return im.crop((x, y, x + w, y + h))


def rotate(im: Image.Image, degrees: float) -> Image.Image:
    return im.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))


def colour(im: Image.Image, rng: random.Random) -> Image.Image:
    im = ImageEnhance.Brightness(im).enhance(rng.choice([0.75, 1.25]))
    im = ImageEnhance.Contrast(im).enhance(rng.choice([0.8, 1.2]))
    r, g, b = im.split()
    gains = [rng.uniform(0.85, 1.15) for _ in range(3)]
    return Image.merge(
        "RGB", [c.point(lambda v, k=k: min(255, round(v * k))) for c, k in zip((r, g, b), gains, strict=True)]
    )


def sharpen(im: Image.Image, rng: random.Random) -> Image.Image:
    """A phone's "enhance" or an editor's unsharp mask: radius 1-3 px, amount 60-150%, threshold 2 levels."""
    return im.filter(ImageFilter.UnsharpMask(radius=rng.uniform(1, 3), percent=rng.randint(60, 150), threshold=2))


def film_filter(im: Image.Image, rng: random.Random) -> Image.Image:
    """A phone app's "film" filter: more colour and contrast, corners darkened by 10-45% (a vignette: the gain
    falls with the square of the distance from the centre, as a lens's fall-off does)."""
    im = ImageEnhance.Color(im).enhance(rng.uniform(1.0, 1.4))
    im = ImageEnhance.Contrast(im).enhance(rng.uniform(1.0, 1.2))
    w, h = im.size
    strength = rng.uniform(0.1, 0.45)
    ramp = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)  # 0 at the centre, 255 at radius 1
    gain = ramp.point(lambda v: round(255 * (1 - strength * min(1.0, (v / 255 / 1.414) ** 2 * 2))))
    dark = Image.new("RGB", (w, h), (0, 0, 0))
    return Image.composite(im, dark, gain)


def local_enhance(im: Image.Image, rng: random.Random) -> Image.Image:
    """A gallery app's "auto enhance" / "HDR": local contrast equalised tile by tile on the lightness (CLAHE, 8 x 8
    tiles, clip 1.5-3), colours kept."""
    import cv2
    import numpy as np

    lab = cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2LAB)
    clahe = cv2.createCLAHE(clipLimit=rng.uniform(1.5, 3.0), tileGridSize=(8, 8))
    lab[..., 0] = clahe.apply(lab[..., 0])
    return Image.fromarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


def clarity(im: Image.Image, rng: random.Random) -> Image.Image:
    """An editor's "clarity" / a phone's "structure": a large-radius unsharp mask on the lightness (Gaussian sigma
    2-5% of the photo's long side, amount 30-80%), colours kept. Unlike CLAHE it is no tone curve of a tile: each
    pixel moves by its difference from the mean of its surroundings."""
    import cv2
    import numpy as np

    lab = cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2LAB)
    light = lab[..., 0].astype(np.float32)
    sigma = rng.uniform(0.02, 0.05) * max(im.size)
    amount = rng.uniform(0.3, 0.8)
    lab[..., 0] = np.clip(light + amount * (light - cv2.GaussianBlur(light, (0, 0), sigma)) + 0.5, 0, 255)
    return Image.fromarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


def screenshot(im: Image.Image, rng: random.Random) -> tuple[Image.Image, Box]:
    """The photo inside a phone screenshot (status bar, app bars, caption text); returns where it sits."""
    width, height = 1080, 2340
    canvas = Image.new("RGB", (width, height), (246, 246, 246))
    d = ImageDraw.Draw(canvas)
    d.rectangle((0, 0, width, 90), fill=(20, 20, 20))
    d.text((40, 30), "9:41   4G  87%", fill=(255, 255, 255))
    d.rectangle((0, 90, width, 260), fill=(255, 255, 255))
    d.text((60, 150), "Order detail  <  Refund request", fill=(0, 0, 0))
    scale = width / im.width if rng.random() < 0.6 else 0.8 * width / im.width
    photo = resize(im, scale)
    if photo.height > 1500:
        photo = resize(photo, 1500 / photo.height)
    x, y = (width - photo.width) // 2, 300
    canvas.paste(photo, (x, y))
    for i in range(4):
        d.text(
            (60, y + photo.height + 40 + 50 * i),
            "The item arrived damaged, please refund. " * 2,
            fill=(60, 60, 60),
        )
    d.rectangle((0, height - 180, width, height), fill=(255, 255, 255))
    return canvas, (x, y, photo.width, photo.height)


def paint(im: Image.Image, rng: random.Random, area: float = 0.1) -> tuple[Image.Image, Box]:
    """Paint a dark stain with a crack over about ``area`` of the photo (the fake defect); returns its box."""
    w = round((area * im.width * im.height * rng.uniform(0.7, 1.4)) ** 0.5)
    w = min(w, im.width - 4)
    h = min(im.height - 4, round(area * im.width * im.height / w))
    x, y = rng.randint(2, im.width - w - 2), rng.randint(2, im.height - h - 2)
    mask = Image.new("L", im.size, 0)
    md = ImageDraw.Draw(mask)
    md.ellipse((x, y, x + w, y + h), fill=230)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1, min(w, h) // 30)))
    stain = Image.new("RGB", im.size, (rng.randint(60, 110), rng.randint(40, 70), rng.randint(20, 40)))
    out = Image.composite(stain, im, mask)
    d = ImageDraw.Draw(out)
    pts, px, py = [], x + w * 0.1, y + h / 2
    while px < x + w * 0.9:
        pts.append((px, py))
        px += max(2.0, w / 20)
        py += rng.uniform(-h / 12, h / 12)
    d.line(pts, fill=(15, 10, 5), width=max(2, min(w, h) // 25))
    return out, (x, y, w, h)


def box_iou(a: Box, b: Box) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw, ih = max(0, min(ax1, bx1) - max(a[0], b[0])), max(0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


def union_box(boxes: list[Box] | tuple[Box, ...]) -> Box | None:
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def find_testdata() -> Path:
    """The shared test data: ``$SHOPGUARD_TESTDATA``, else ``shared/testdata`` next to the repository (or
    next to its parent, for a git worktree under the same root)."""
    if os.environ.get("SHOPGUARD_TESTDATA"):
        return Path(os.environ["SHOPGUARD_TESTDATA"])
    repo = Path(__file__).resolve().parent.parent
    for base in (repo.parent, repo.parent.parent):
        if (base / "shared" / "testdata").is_dir():
            return base / "shared" / "testdata"
    return repo.parent / "shared" / "testdata"
