"""Multipack listing photos: one item shown several times in a grid ("pack of 4 / 9 / 16"), the shop's own composite.

Repeated objects defeat Lowe's ratio test (a keypoint's two nearest descriptors lie on two copies), so a crop of
such a listing photo kept few, ambiguous matches and was not found (docs/matching.md, "Repeated objects").

Library: every real product photo of ../shared/testdata/product-photos (abo__*, white backdrops) *and* a
multipack made of each: the photo shrunk to 1/k and pasted k x k times (k = 2, 3 or 4), either as exact copies
(a composite) or each copy turned 0.5-2 degrees and scaled 97-103% (closer to a photographed pack). The single
item's photo stays in the library too, as a shop usually has both: it is a hard rival (it aligns onto one copy).
Queries, from each multipack (seeded per case): a crop of 55-85% at a random place (q75); a 70-90% crop turned
2-6 degrees on white (q75); a crop inside a phone screenshot; a crop with a painted stain (q75; region recall).

Scores: recall (derived, naming the multipack), a region on an untouched query (a false region), the painted
region found (box IoU >= 0.3) and mean IoU. ``--ratio-only`` turns guided matching off (the rule before
2026-12-05) for comparison.

Usage: python benchmarks/matching_multipack.py [--sources N] [--seed S] [--ratio-only] [--misses]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import matching_transforms as tf

from shopguard.imaging import decode, read_source
from shopguard.library import verification
from shopguard.library.indexer import index_paths
from shopguard.library.matcher import Match, find_sources
from shopguard.library.store import LibraryStore, PhotoRecord

TESTDATA = tf.find_testdata()
KINDS = ("crop", "crop+tilt", "screenshot", "painted")


def multipack(item: Image.Image, k: int, jitter: bool, rng: random.Random) -> Image.Image:
    """``item`` pasted k x k times on white at its own frame size (1/k per copy)."""
    w, h = item.size
    cw, ch = w // k, h // k
    canvas = Image.new("RGB", (cw * k, ch * k), (255, 255, 255))
    for row in range(k):
        for col in range(k):
            copy = item
            if jitter:
                s = rng.uniform(0.97, 1.03)
                copy = copy.resize((round(w * s), round(h * s)), Image.Resampling.LANCZOS).rotate(
                    rng.uniform(-2, 2) or 0.5, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255)
                )
            tile = copy.resize((cw, ch), Image.Resampling.LANCZOS)
            canvas.paste(tile, (col * cw, row * ch))
    return canvas


def _query(kind: str, pack: Image.Image, rng: random.Random) -> tuple[Image.Image, tf.Box | None]:
    if kind == "crop":
        return tf.jpeg(tf.crop(pack, rng, rng.uniform(0.55, 0.85)), 75), None
    if kind == "crop+tilt":
        cut = tf.crop(pack, rng, rng.uniform(0.7, 0.9))
        turned = cut.rotate(
            rng.choice((-1, 1)) * rng.uniform(2, 6), resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255)
        )
        return tf.jpeg(turned, 75), None
    if kind == "screenshot":
        shot, _ = tf.screenshot(tf.crop(pack, rng, rng.uniform(0.6, 0.9)), rng)
        return tf.jpeg(shot, 80), None
    painted, box = tf.paint(tf.crop(pack, rng, rng.uniform(0.6, 0.9)), rng, 0.05)
    return tf.jpeg(painted, 75), box


def _loader(record: PhotoRecord) -> tuple[Image.Image, float] | None:
    d = decode(read_source(record.path), max_side=1024)
    return d.image, d.scale


def _match(store: LibraryStore, im: Image.Image, folder: Path) -> tuple[list[Match], float]:
    path = folder / "query.png"
    im.save(path)
    d = decode(read_source(path), max_side=1600)
    t0 = time.process_time()
    found = find_sources(store, d.image, d.scale, _loader)
    return found, time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=12, help="product photos made into multipacks (default 12)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--ratio-only", action="store_true", help="guided matching off (the rule before 2026-12-05)")
    ap.add_argument("--misses", action="store_true", help="name every miss and false region")
    args = ap.parse_args()
    if args.ratio_only:
        verification.MIN_GUIDED_SHARE = float("inf")
    items = sorted((TESTDATA / "product-photos").glob("abo__*.jpg"))
    if not items:
        sys.exit("no abo__*.jpg in ../shared/testdata/product-photos")
    picked = random.Random(args.seed).sample(items, min(args.sources, len(items)))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shop = root / "shop"
        shop.mkdir()
        packs: dict[str, Image.Image] = {}
        for p in items:
            (shop / p.name).write_bytes(p.read_bytes())
        for i, p in enumerate(picked):
            rng = random.Random(zlib.crc32(f"{args.seed}:{p.name}".encode()))
            with Image.open(p) as im:
                item = im.convert("RGB")
            k = (2, 3, 4)[i % 3]
            pack = multipack(item, k, jitter=i % 2 == 1, rng=rng)
            name = f"pack{k}x{k}{'-jitter' if i % 2 else ''}__{p.stem}.jpg"
            pack.save(shop / name, quality=92)
            packs[name] = pack
        store = LibraryStore(root / "library.db")
        index_paths(store, [shop], workers=1)
        print(f"library: {len(items)} product photos + {len(packs)} multipacks of them (seed {args.seed})")
        rows: dict[str, list[tuple[bool, bool, float | None, float]]] = {k: [] for k in KINDS}
        for name, pack in packs.items():
            for kind in KINDS:
                rng = random.Random(zlib.crc32(f"{args.seed}:{name}:{kind}".encode()))
                query, truth = _query(kind, pack, rng)
                found, cpu = _match(store, query, root)
                top = found[0] if found and found[0].kind == "derived" else None
                hit = top is not None and Path(top.record.path).name == name
                regions = list(top.change.regions) if hit and top is not None else []
                iou = max((tf.box_iou(tuple(r), truth) for r in regions), default=0.0) if truth else None
                rows[kind].append((hit, bool(regions) and truth is None, iou, cpu))
                if args.misses and (not hit or (truth is None and regions) or (iou is not None and iou < 0.3)):
                    got = "none" if top is None else f"{Path(top.record.path).name} ({top.kind})"
                    print(f"  {kind:<11} {name}: got {got}, regions {regions}, iou {iou}")
    print()
    print("| query | recall | false region (untouched) | painted found (IoU>=0.3) | mean IoU | CPU ms/query |")
    print("|---|---|---|---|---|---|")
    for kind, got in rows.items():
        n = len(got)
        hits = sum(r[0] for r in got)
        false = sum(r[1] for r in got)
        ious = [r[2] for r in got if r[2] is not None]
        found_regions = sum(1 for v in ious if v >= 0.3)
        cpu = 1000 * sum(r[3] for r in got) / max(1, n)
        painted = f"{found_regions}/{len(ious)}" if ious else "-"
        mean = f"{sum(ious) / len(ious):.2f}" if ious else "-"
        print(f"| {kind} | {hits}/{n} | {false}/{n if not ious else 0} | {painted} | {mean} | {cpu:.0f} |")


if __name__ == "__main__":
    main()
