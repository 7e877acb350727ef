"""Ground truth for the pixel-forensics tests and benchmark: edited copies of real photos.

Each function takes a real photo (already decoded, oriented RGB), makes one kind of edit a
dishonest buyer might make, saves it as a JPEG like a chat app would, and returns the path and the
edited box ``(x, y, w, h)`` in the saved image's pixels. Nothing here is a mock: the checks see
real JPEG files.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]


def _save(pixels: np.ndarray, path: Path, quality: int) -> Path:
    Image.fromarray(pixels.astype(np.uint8)).save(path, "JPEG", quality=quality)
    return path


def _box(shape: tuple[int, ...], rng: np.random.Generator, frac: float) -> Box:
    h, w = shape[:2]
    bw, bh = int(w * frac), int(h * frac)
    x = int(rng.integers(w // 8, w - bw - w // 8))
    y = int(rng.integers(h // 8, h - bh - h // 8))
    return x, y, bw, bh


def paint_stain(photo: Image.Image, out: Path, seed: int = 0, quality: int = 90) -> tuple[Path, Box]:
    """A brown, soft-edged stain painted over part of the product (a "damaged on arrival" fake)."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(photo.convert("RGB")).astype(np.float32)
    x, y, w, h = _box(pixels.shape, rng, 0.18)
    mask = np.zeros(pixels.shape[:2], np.float32)
    angle = float(rng.integers(0, 180))
    cv2.ellipse(mask, (x + w // 2, y + h // 2), (w // 2, h // 2), angle, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, w / 30))[..., None]
    stain = np.array([95, 70, 40], np.float32)
    edited = pixels * (1 - 0.85 * mask) + stain * 0.85 * mask
    return _save(edited, out, quality), (x, y, w, h)


def inpaint_region(photo: Image.Image, out: Path, seed: int = 0, quality: int = 90) -> tuple[Path, Box]:
    """A detail erased with OpenCV inpainting (Telea), the way a quick "remove object" tool does."""
    rng = np.random.default_rng(seed)
    pixels = np.ascontiguousarray(np.asarray(photo.convert("RGB")))
    x, y, w, h = _box(pixels.shape, rng, 0.16)
    mask = np.zeros(pixels.shape[:2], np.uint8)
    mask[y : y + h, x : x + w] = 255
    edited = cv2.inpaint(pixels, mask, 5, cv2.INPAINT_TELEA)
    return _save(edited, out, quality), (x, y, w, h)


def splice_patch(
    photo: Image.Image, donor: Image.Image, out: Path, seed: int = 0, quality: int = 90
) -> tuple[Path, Box]:
    """A patch of another photo pasted in (different camera, noise and compression history)."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(photo.convert("RGB")).copy()
    x, y, w, h = _box(pixels.shape, rng, 0.2)
    patch = np.asarray(donor.convert("RGB").resize((w, h), Image.Resampling.BILINEAR))
    pixels[y : y + h, x : x + w] = patch
    return _save(pixels, out, quality), (x, y, w, h)


def clone_patch(photo: Image.Image, out: Path, seed: int = 0, quality: int = 90) -> tuple[Path, Box, Box]:
    """Copy-move: a patch of the photo copied onto another place of the same photo.

    Returns the path, the source box and the pasted (target) box.
    """
    rng = np.random.default_rng(seed)
    pixels = np.asarray(photo.convert("RGB")).copy()
    h_img, w_img = pixels.shape[:2]
    size = int(min(h_img, w_img) * 0.22)
    # Take the source from the most textured area, where a cloner would copy product detail.
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    energy = cv2.boxFilter(np.abs(cv2.Laplacian(grey, cv2.CV_32F)), -1, (size, size))
    energy[: size // 2 + 1, :] = 0
    energy[-size // 2 - 1 :, :] = 0
    energy[:, : size // 2 + 1] = 0
    energy[:, -size // 2 - 1 :] = 0
    cy, cx = np.unravel_index(int(np.argmax(energy)), energy.shape)
    sx = min(max(int(cx) - size // 2, 0), w_img - size)
    sy = min(max(int(cy) - size // 2, 0), h_img - size)
    for _ in range(200):
        tx = int(rng.integers(0, w_img - size))
        ty = int(rng.integers(0, h_img - size))
        if abs(tx - sx) > size * 1.2 or abs(ty - sy) > size * 1.2:
            break
    pixels[ty : ty + size, tx : tx + size] = pixels[sy : sy + size, sx : sx + size]
    return _save(pixels, out, quality), (sx, sy, size, size), (tx, ty, size, size)


def overlaps(found: Box, truth: Box) -> bool:
    """True when the found box covers a real part of the truth box (or lies mostly inside it)."""
    ix = max(0, min(found[0] + found[2], truth[0] + truth[2]) - max(found[0], truth[0]))
    iy = max(0, min(found[1] + found[3], truth[1] + truth[3]) - max(found[1], truth[1]))
    inter = ix * iy
    return inter >= 0.25 * truth[2] * truth[3] or inter >= 0.5 * found[2] * found[3]
