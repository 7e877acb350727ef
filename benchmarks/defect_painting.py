"""Defects of every shape painted the way refund fraud paints them, with their exact masks.

Shared by ``matching_defects.py`` (the benchmark) and its experiments. Every painter takes an RGB photo and a
``random.Random`` and returns the painted photo and the boolean mask of the pixels it changed (the truth):

- ``crack``: a thin dark stroke (1-5 px wide, 40-400 px long), a random walk with anti-aliased edges;
- ``scratch``: a thin light stroke (1-3 px), straighter;
- ``mould``: a faint translucent patch (opacity 0.3-0.6, soft edges, 0.1%-25% of the photo), greenish, grey or
  brown, made of overlapping blobs and specks;
- ``tear``: a hole with a jagged outline where the texture is gone (a flat backing colour with a pale torn rim);
- ``dent``: a shading change (one side lit, the other shadowed, 12-30% of the brightness) over an ellipse, the
  texture kept.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SUPERSAMPLE = 4


def _noise(rng: random.Random, size: tuple[int, int], sigma: float) -> Image.Image:
    """Gaussian grey noise around 128 (what ``Image.effect_noise`` draws), drawn from ``rng``. Pillow's
    ``effect_noise`` draws from the C library's ``rand()``, one state per process: a case's mould and tear then
    depended on every case run before it (seed 11 mould croprot: 11/16 in a full run, 10/16 run alone)."""
    w, h = size
    values = 128 + sigma * np.random.default_rng(rng.getrandbits(64)).standard_normal((h, w))
    return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8), "L")


def _area_share(rng: random.Random) -> float:
    """0.1% to 25% of the photo, log-uniform (small defects as often as large ones)."""
    return math.exp(rng.uniform(math.log(0.001), math.log(0.25)))


def _walk(rng: random.Random, size: tuple[int, int], length: float, wiggle: float) -> list[tuple[float, float]]:
    w, h = size
    length = min(length, 0.8 * max(w, h))
    x, y = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
    angle = rng.uniform(0, 2 * math.pi)
    pts = [(x, y)]
    step = max(2.0, length / 25)
    walked = 0.0
    while walked < length:
        angle += rng.uniform(-wiggle, wiggle)
        nx, ny = x + step * math.cos(angle), y + step * math.sin(angle)
        if not (2 <= nx < w - 2 and 2 <= ny < h - 2):
            angle += math.pi / 2
            continue
        x, y = nx, ny
        pts.append((x, y))
        walked += step
    return pts


def _stroke(
    im: Image.Image, rng: random.Random, width: float, colour: tuple[int, int, int], wiggle: float, length: float
) -> tuple[Image.Image, np.ndarray]:
    pts = _walk(rng, im.size, length, wiggle)
    big = Image.new("L", (im.width * SUPERSAMPLE, im.height * SUPERSAMPLE), 0)
    ImageDraw.Draw(big).line(
        [(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in pts],
        fill=255,
        width=max(1, round(width * SUPERSAMPLE)),
        joint="curve",
    )
    alpha = big.resize(im.size, Image.Resampling.BOX)
    opacity = rng.uniform(0.8, 1.0)
    a = np.asarray(alpha, dtype=np.float32)[..., None] / 255 * opacity
    out = np.asarray(im, dtype=np.float32) * (1 - a) + np.array(colour, np.float32) * a
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8)), a[..., 0] >= 0.25 * opacity


def crack(im: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """A thin dark crack or hair: 1-5 px wide, 40-400 px long."""
    shade = rng.randint(5, 45)
    return _stroke(
        im, rng, rng.uniform(1, 5), (shade, shade - min(shade, 5), max(0, shade - 10)), 0.5, rng.uniform(40, 400)
    )


def scratch(im: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """A thin light scratch: 1-3 px wide, 40-400 px long, nearly straight."""
    shade = rng.randint(215, 250)
    return _stroke(im, rng, rng.uniform(1, 3), (shade, shade, shade - 5), 0.15, rng.uniform(40, 400))


def _blob_mask(
    rng: random.Random, size: tuple[int, int], area: float, lobes: int
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """An irregular blob (overlapping ellipses) of about ``area`` of the photo, and its box."""
    w, h = size
    side = math.sqrt(area * w * h)
    bw, bh = min(w - 4, side * rng.uniform(0.8, 1.25)), min(h - 4, side * rng.uniform(0.8, 1.25))
    x0, y0 = rng.uniform(2, w - bw - 2), rng.uniform(2, h - bh - 2)
    mask = Image.new("L", size, 0)
    d = ImageDraw.Draw(mask)
    d.ellipse((x0 + 0.15 * bw, y0 + 0.15 * bh, x0 + 0.85 * bw, y0 + 0.85 * bh), fill=255)
    for _ in range(lobes):
        cx, cy = x0 + rng.uniform(0.2, 0.8) * bw, y0 + rng.uniform(0.2, 0.8) * bh
        rx, ry = rng.uniform(0.15, 0.3) * bw, rng.uniform(0.15, 0.3) * bh
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
    return mask, (round(x0), round(y0), round(bw), round(bh))


def mould(im: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """A faint translucent patch (mould, water mark, discolouration): opacity 0.3-0.6, soft edges."""
    area = _area_share(rng)
    shape, (_, _, bw, bh) = _blob_mask(rng, im.size, area, 5)
    soft = max(1.0, min(bw, bh) / 12)
    alpha = np.asarray(shape.filter(ImageFilter.GaussianBlur(soft)), dtype=np.float32) / 255
    specks = np.asarray(_noise(rng, im.size, 60).filter(ImageFilter.GaussianBlur(max(1.0, soft / 3))), dtype=np.float32)
    alpha *= np.clip(0.75 + (specks - 128) / 200, 0.4, 1.0)  # mottled, as mould grows
    opacity = rng.uniform(0.3, 0.6)
    colour = rng.choice([(70, 110, 50), (95, 100, 80), (120, 95, 55), (60, 80, 70)])
    a = (alpha * opacity)[..., None]
    out = np.asarray(im, dtype=np.float32) * (1 - a) + np.array(colour, np.float32) * a
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8)), alpha >= 0.5


def tear(im: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """A tear or hole: a jagged outline inside which the texture is gone (a flat backing), a pale torn rim."""
    area = _area_share(rng)
    w, h = im.size
    r = math.sqrt(area * w * h / math.pi)
    r = min(r, 0.45 * min(w, h))
    cx, cy = rng.uniform(r + 2, w - r - 2), rng.uniform(r + 2, h - r - 2)
    n = 40
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        rr = r * rng.uniform(0.6, 1.25) * (0.75 if i % 2 else 1.0)
        pts.append((cx + rr * math.cos(t) * rng.uniform(0.8, 1.2), cy + rr * math.sin(t)))
    mask = Image.new("L", im.size, 0)
    ImageDraw.Draw(mask).polygon(pts, fill=255)
    backing = rng.choice([(20, 18, 16), (235, 232, 225), (120, 110, 100)])
    noise = np.asarray(_noise(rng, im.size, 6), dtype=np.float32)[..., None] - 128
    fill = np.clip(np.array(backing, np.float32) + noise, 0, 255)
    rim = np.asarray(mask.filter(ImageFilter.MaxFilter(3)), dtype=bool) & ~np.asarray(mask, dtype=bool)
    out = np.asarray(im, dtype=np.float32).copy()
    inside = np.asarray(mask, dtype=bool)
    out[inside] = fill[inside]
    out[rim] = 0.4 * out[rim] + 0.6 * 235
    return Image.fromarray(out.astype(np.uint8)), inside | rim


def dent(im: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """A dent: the shading over an ellipse changes (one side lit, the other shadowed), its texture kept."""
    area = max(0.003, _area_share(rng))
    w, h = im.size
    side = math.sqrt(area * w * h)
    rx, ry = min(0.45 * w, side * rng.uniform(0.45, 0.65)), min(0.45 * h, side * rng.uniform(0.45, 0.65))
    cx, cy = rng.uniform(rx + 2, w - rx - 2), rng.uniform(ry + 2, h - ry - 2)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xx - cx) / rx, (yy - cy) / ry
    rho = np.sqrt(u * u + v * v)
    inside = rho < 1
    angle = rng.uniform(0, 2 * math.pi)
    slope = u * math.cos(angle) + v * math.sin(angle)  # -1..1 across the dent: a lit side and a shadowed side
    bowl = np.where(inside, np.cos(rho * math.pi / 2) ** 2, 0)
    depth = rng.uniform(0.12, 0.3)
    gain = 1 + depth * (slope - 0.35) * bowl * 1.6
    out = np.asarray(im, dtype=np.float32) * gain[..., None]
    truth = np.abs(gain - 1) >= 0.5 * float(np.abs(gain - 1).max())  # half its strongest shading change
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8)), truth


def stain(im: Image.Image, rng: random.Random) -> tuple[Image.Image, np.ndarray]:
    """A nearly opaque stain (coffee, wine, ink, grease; opacity 0.75-0.95), one flat colour over a blob with soft
    edges: unlike mould it hides the texture under it, and at up to a quarter of the photo it covers whole tiles of a
    gallery app's local contrast (session 15)."""
    area = _area_share(rng)
    shape, (_, _, bw, bh) = _blob_mask(rng, im.size, area, 4)
    soft = max(1.0, min(bw, bh) / 25)
    alpha = np.asarray(shape.filter(ImageFilter.GaussianBlur(soft)), dtype=np.float32) / 255
    opacity = rng.uniform(0.75, 0.95)
    colour = rng.choice([(90, 60, 30), (70, 20, 35), (40, 40, 60), (140, 120, 70)])
    a = (alpha * opacity)[..., None]
    out = np.asarray(im, dtype=np.float32) * (1 - a) + np.array(colour, np.float32) * a
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8)), alpha >= 0.5


PAINTERS = {"crack": crack, "scratch": scratch, "mould": mould, "tear": tear, "dent": dent, "stain": stain}


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """The (x, y, w, h) box of a mask's pixels."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


VISIBLE_LEVELS = 12
"""Max-channel difference (0-255) from which a painted pixel counts as changed: a light scratch over a white
backdrop or a dent's lit side over clipped white paints nothing a reviewer could see."""


def paint_defect(kind: str, im: Image.Image, rng: random.Random, tries: int = 12) -> tuple[Image.Image, np.ndarray]:
    """``kind`` painted where it shows (a fraudster paints on the product, not on the white backdrop): the painter is
    run again elsewhere until at least half of what it paints differs visibly from the photo. The truth is the
    visibly changed part of the painted mask."""
    base = np.asarray(im.convert("RGB"), dtype=np.int16)
    best: tuple[float, Image.Image, np.ndarray] | None = None
    for _ in range(tries):
        out, mask = PAINTERS[kind](im, rng)
        visible = mask & (np.abs(np.asarray(out, dtype=np.int16) - base).max(axis=2) >= VISIBLE_LEVELS)
        share = float(visible.sum()) / max(1, int(mask.sum()))
        if best is None or share > best[0]:
            best = (share, out, visible)
        if share >= 0.5:
            break
    assert best is not None
    return best[1], best[2]
