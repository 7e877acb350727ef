"""The change map on defects of every shape: region recall and IoU per defect kind, false regions on untouched copies.

Sources: the real library photos of ``matching_robustness.py`` (../shared/testdata). Each defect kind of
``defect_painting.py`` (thin dark crack, light scratch, faint mould, tear, dent; 0.1%-25% of the photo, exact masks)
is painted on each source, which is then handed over as a buyer would: at full resolution (JPEG q92), shrunk to
50% or 35%, re-saved at JPEG q40-q70, or inside a phone screenshot. Untouched copies (JPEG q40-q95, shrunk,
screenshot, colour-shifted) must give no region.

The change map (``region_diff.change_map``) is run with the transform the copy was made with, nudged by up to
0.7 px as keypoints leave it (ECC then polishes it, as in a check): this measures the change map alone; whether the
source is found at all is ``matching_robustness.py``'s recall. A region counts as found when the box around all
reported regions overlaps the box of the visibly painted pixels with IoU >= 0.3 (the regions a finding reports
are boxes).

Usage: python benchmarks/matching_defects.py [--sources N] [--seed S] [--misses]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import defect_painting as dp
import matching_robustness as mr
import matching_transforms as tf

from shopguard.imaging import decode, read_source
from shopguard.library.region_diff import change_map

CONDITIONS = ("full", "shrink", "resave", "screenshot")
UNTOUCHED = ("resave", "shrink", "screenshot", "colour")


def _decoded(im: Image.Image, quality: int, folder: Path) -> tuple[Image.Image, float]:
    """``im`` saved as the buyer's JPEG and decoded as a check decodes a complaint (1600 px)."""
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    path = folder / "complaint.jpg"
    path.write_bytes(buf.getvalue())
    d = decode(read_source(path), max_side=1600)
    return d.image, d.scale


def _scaled_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    scaled: np.ndarray = small >= 0.25
    return scaled


def handed_over(
    condition: str, im: Image.Image, mask: np.ndarray, rng: random.Random
) -> tuple[Image.Image, np.ndarray, np.ndarray, int]:
    """(complaint, its truth mask, 3x3 transform source px -> complaint px, JPEG quality) for one condition."""
    w, h = im.size
    if condition == "full":
        return im, mask, np.eye(3), 92
    if condition == "shrink":
        out = tf.resize(im, rng.choice([0.5, 0.35]))
        return out, _scaled_mask(mask, out.size), np.diag([out.width / w, out.height / h, 1.0]), 85
    if condition == "resave":
        return im, mask, np.eye(3), rng.randint(40, 70)
    if condition == "colour":
        return tf.colour(im, rng), mask, np.eye(3), 85
    if condition == "screenshot":
        shot, (x, y, pw, ph) = tf.screenshot(im, rng)
        truth = np.zeros((shot.height, shot.width), bool)
        truth[y : y + ph, x : x + pw] = _scaled_mask(mask, (pw, ph))
        return shot, truth, np.array([[pw / w, 0, x], [0, ph / h, y], [0, 0, 1.0]]), 75
    raise ValueError(condition)


def run_case(
    source: Path, kind: str | None, condition: str, seed: int, folder: Path
) -> tuple[float, int, float, tuple[tuple[int, int, int, int], ...]]:
    """(box IoU with the truth, number of regions, change-map CPU seconds, regions) for one case."""
    rng = random.Random(seed)
    im = decode(read_source(source)).image.convert("RGB")
    if kind is None:
        painted, mask = im, np.zeros((im.height, im.width), bool)
    else:
        painted, mask = dp.paint_defect(kind, im, rng)
    out, truth, matrix, quality = handed_over(condition, painted, mask, rng)
    if kind is None and condition == "resave":
        quality = rng.randint(40, 95)
    complaint, c_scale = _decoded(out, quality, folder)
    listing = decode(read_source(source), max_side=1024)
    nudge = np.array([[1, 0, rng.uniform(-0.7, 0.7)], [0, 1, rng.uniform(-0.7, 0.7)], [0, 0, 1.0]])
    t0 = time.process_time()
    change = change_map(complaint, c_scale, listing.image, listing.scale, nudge @ matrix)
    cpu = time.process_time() - t0
    found, box = tf.union_box(change.regions), dp.mask_box(truth)
    iou = tf.box_iou(found, box) if found and box else 0.0
    return iou, len(change.regions), cpu, change.regions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=12)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--misses", action="store_true", help="print every miss and false region")
    ap.add_argument("--kinds", default=",".join(dp.PAINTERS), help="defect kinds to run (comma-separated)")
    ap.add_argument("--untouched", default=",".join(UNTOUCHED), help="untouched copies to run ('' for none)")
    args = ap.parse_args()
    cv2.setNumThreads(1)  # CPU time of one thread: the shared machine's load does not count
    library, _ = mr._photos()
    usable = [p for p in library if p.suffix.lower() not in {".heic", ".heif"} and mr._big_enough(p)]
    sources = random.Random(args.seed).sample(usable, min(args.sources, len(usable)))
    with tempfile.TemporaryDirectory() as tmp_name:
        folder = Path(tmp_name)
        print(f"{len(sources)} sources, seed {args.seed}\n")
        print("| defect kind | handed over | region found (IoU >= 0.3) | mean IoU | change map CPU ms |")
        print("|---|---|---|---|---|")
        totals: dict[str, list[float]] = {}
        for kind in [k for k in args.kinds.split(",") if k]:
            for condition in CONDITIONS:
                ious, cpus = [], []
                for i, src in enumerate(sources):
                    seed = zlib.crc32(f"{args.seed}/{kind}/{condition}/{i}".encode())
                    iou, _, cpu, regions = run_case(src, kind, condition, seed, folder)
                    ious.append(iou)
                    cpus.append(cpu)
                    if args.misses and iou < 0.3:
                        print(f"MISS {kind} {condition} {src.name} iou={iou:.2f} {regions[:3]}")
                totals.setdefault(kind, []).extend(ious)
                hits = sum(1 for x in ious if x >= 0.3)
                print(
                    f"| {kind} | {condition} | {hits}/{len(ious)} ({100 * hits / len(ious):.0f}%) | "
                    f"{np.mean(ious):.2f} | {1000 * np.mean(cpus):.0f} |"
                )
        print("\n| defect kind | region found, all hand-overs | mean IoU |")
        print("|---|---|---|")
        for kind, ious in totals.items():
            hits = sum(1 for x in ious if x >= 0.3)
            print(f"| {kind} | {hits}/{len(ious)} ({100 * hits / len(ious):.0f}%) | {np.mean(ious):.2f} |")
        print("\n| untouched copy | no region |")
        print("|---|---|")
        for condition in [c for c in args.untouched.split(",") if c]:
            clean = 0
            for i, src in enumerate(sources):
                seed = zlib.crc32(f"{args.seed}/untouched/{condition}/{i}".encode())
                _, count, _, regions = run_case(src, None, condition, seed, folder)
                clean += count == 0
                if args.misses and count:
                    print(f"FALSE {condition} {src.name} {regions[:3]}")
            print(f"| {condition} | {clean}/{len(sources)} ({100 * clean / len(sources):.0f}%) |")


if __name__ == "__main__":
    main()
