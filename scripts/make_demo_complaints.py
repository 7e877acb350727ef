"""Make the demo shop's two complaint photos from its listing photos (run once; output is committed).

- complaint-bag-stain.jpg: listing photo B0799CK52K__528c608a, cropped, scaled down, with a brown
  stain and a tear painted onto the bag, re-saved at JPEG quality 82 (the "refund only" fake).
- complaint-bulb-resaved.jpg: listing photo B074M5HPBD__dcace9b5, cropped a little, scaled to 70%
  and re-saved at quality 70, nothing painted (the buyer simply re-sent the shop's own photo).

Usage: python scripts/make_demo_complaints.py
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo"


def paint_stain(im: Image.Image, box: tuple[int, int, int, int], seed: int = 7) -> Image.Image:
    """Darken an irregular blob inside ``box`` and draw a jagged tear across it."""
    rng = random.Random(seed)
    x0, y0, x1, y1 = box
    mask = Image.new("L", im.size, 0)
    d = ImageDraw.Draw(mask)
    for _ in range(14):
        cx, cy = rng.uniform(x0 + 15, x1 - 15), rng.uniform(y0 + 15, y1 - 15)
        rx, ry = rng.uniform(10, (x1 - x0) / 3), rng.uniform(8, (y1 - y0) / 3)
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=rng.randint(150, 230))
    mask = mask.filter(ImageFilter.GaussianBlur(6))
    stain = Image.new("RGB", im.size, (92, 60, 30))
    stained = ImageChops.multiply(im, Image.blend(Image.new("RGB", im.size, "white"), stain, 0.85))
    out = Image.composite(stained, im, mask)
    tear = ImageDraw.Draw(out)
    pts, x, y = [], x0 + 10, (y0 + y1) / 2
    while x < x1 - 10:
        pts.append((x, y))
        x += rng.uniform(6, 14)
        y += rng.uniform(-7, 7)
    tear.line(pts, fill=(25, 18, 12), width=4)
    return out


def main() -> None:
    lib = DEMO / "library"
    out = DEMO / "complaints"
    out.mkdir(parents=True, exist_ok=True)
    bag = Image.open(lib / "abo__B0799CK52K__528c608a.jpg").convert("RGB")
    w, h = bag.size
    bag = bag.crop((int(w * 0.06), int(h * 0.08), int(w * 0.97), int(h * 0.95)))
    bag = bag.resize((round(bag.width * 0.8), round(bag.height * 0.8)), Image.Resampling.LANCZOS)
    bw, bh = bag.size
    bag = paint_stain(bag, (int(bw * 0.35), int(bh * 0.42), int(bw * 0.62), int(bh * 0.62)))
    bag.save(out / "complaint-bag-stain.jpg", quality=82)
    bulb = Image.open(lib / "abo__B074M5HPBD__dcace9b5.jpg").convert("RGB")
    w, h = bulb.size
    bulb = bulb.crop((int(w * 0.04), int(h * 0.03), int(w * 0.98), int(h * 0.97)))
    bulb = bulb.resize((round(bulb.width * 0.7), round(bulb.height * 0.7)), Image.Resampling.LANCZOS)
    bulb.save(out / "complaint-bulb-resaved.jpg", quality=70)


if __name__ == "__main__":
    main()
