"""The change map on defects of every shape: region recall and IoU per defect kind, false regions on untouched copies.

Sources: the real library photos of ``matching_robustness.py`` (../shared/testdata). Each defect kind of
``defect_painting.py`` (thin dark crack, light scratch, faint mould, tear, dent; 0.1%-25% of the photo, exact masks)
is painted on each source, which is then handed over as a buyer would: at full resolution (JPEG q92), shrunk to
50% or 35%, re-saved at JPEG q40-q70, inside a phone screenshot, cropped to 60-90% and tilted by 2-8 degrees
(white corners, q80), or cropped to 60-90% and then shown in a phone screenshot ("cropshot": the listing's footprint
runs on under the app's bars and text). Untouched copies (JPEG q40-q95, shrunk, screenshot, colour-shifted, cropped
and tilted, cropped in a screenshot, sharpened, a filter with a vignette, local-contrast "auto enhance" or
"clarity") must give no region.

The change map (``region_diff.change_map``) is run with the transform the copy was made with, nudged by up to
0.7 px as keypoints leave it (ECC then polishes it, as in a check): this measures the change map alone; whether the
source is found at all is ``matching_robustness.py``'s recall. A region counts as found when the box around all
reported regions overlaps the box of the visibly painted pixels with IoU >= 0.3 (the regions a finding reports
are boxes).

Sources are drawn half from plain products (under TEXTURED_SHARE of the photo has texture: a mug on white, a cap)
and half from textured ones (prints, fabric, shelves, outdoor scenes), so that a rule tuned to one kind of surface
shows on the other. The summary gives both halves, and the defects' sizes (share of the photo) in bands.

``--cost`` measures the change map alone on a 12 MP complaint instead: a textured test photo enlarged to
4000 x 3000 px with a crack painted, saved at q90 and decoded at 1600 px as a check decodes it, against the listing
decoded at 1024 px; CPU time of one thread (``cv2.setNumThreads(1)``), the least of 5 runs, with the load average.

Usage: python benchmarks/matching_defects.py [--sources N] [--seed S] [--misses] [--out results.json] [--cost]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path

# As the app does (shopguard/__init__.py), before numpy is first imported: single-threaded OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

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

CONDITIONS = ("full", "shrink", "resave", "screenshot", "croprot", "cropshot")
CROP_KEEP = (0.6, 0.9)
"""Share of the photo a buyer's crop keeps (the defect stays inside it)."""
TILT_DEGREES = (2.0, 8.0)
"""A hand-held re-shoot or a phone's straighten tool: a tilt of a few degrees, either way."""
UNTOUCHED = (
    "resave",
    "shrink",
    "screenshot",
    "colour",
    "croprot",
    "cropshot",
    "sharpen",
    "filter",
    "enhance",
    "clarity",
)
"""Untouched copies: also sharpened (a phone's "enhance"), a "film" filter with a vignette, a gallery app's local
contrast "auto enhance" (session 13: processing apps apply to a whole photo, which must not read as a painted edit),
and an editor's "clarity" (session 14: a second local-contrast edit, no tone curve per tile, so that the rule for
"auto enhance" is not one for CLAHE alone)."""
TEXTURED_SD, TEXTURED_SHARE = 6.0, 0.4
"""A source is textured when at least 40% of it (at 512 px) has a local grey standard deviation (5 x 5 px) above 6
levels, several times JPEG noise on a flat surface; a product on a plain backdrop stays well under."""
SIZE_BANDS = ((0.0, 0.003, "< 0.3%"), (0.003, 0.03, "0.3-3%"), (0.03, 1.0, ">= 3%"))


def texture_share(path: Path) -> float:
    """Share of the photo (at 512 px) with local texture (``TEXTURED_SD``)."""
    im = decode(read_source(path), max_side=512).image.convert("L")
    grey = np.asarray(im, np.float32)
    mean = cv2.blur(grey, (5, 5))
    sd = np.sqrt(np.maximum(cv2.blur(grey * grey, (5, 5)) - mean * mean, 0))
    return float((sd > TEXTURED_SD).mean())


def pick_sources(usable: list[Path], count: int, seed: int) -> list[tuple[Path, bool]]:
    """``count`` sources (path, textured), half plain and half textured, drawn with ``seed``."""
    rng = random.Random(seed)
    textured = {p: texture_share(p) >= TEXTURED_SHARE for p in usable}
    plain = [p for p in usable if not textured[p]]
    rich = [p for p in usable if textured[p]]
    half = count // 2
    chosen = rng.sample(plain, min(len(plain), half)) + rng.sample(rich, min(len(rich), count - half))
    rng.shuffle(chosen)
    return [(p, textured[p]) for p in chosen]


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
    if condition == "sharpen":
        return tf.sharpen(im, rng), mask, np.eye(3), 85
    if condition == "filter":
        return tf.film_filter(im, rng), mask, np.eye(3), 85
    if condition == "enhance":
        return tf.local_enhance(im, rng), mask, np.eye(3), 85
    if condition == "clarity":
        return tf.clarity(im, rng), mask, np.eye(3), 85
    if condition == "croprot":
        return _crop_and_tilt(im, mask, rng)
    if condition == "cropshot":
        return _crop_in_screenshot(im, mask, rng)
    if condition == "screenshot":
        shot, (x, y, pw, ph) = tf.screenshot(im, rng)
        truth = np.zeros((shot.height, shot.width), bool)
        truth[y : y + ph, x : x + pw] = _scaled_mask(mask, (pw, ph))
        return shot, truth, np.array([[pw / w, 0, x], [0, ph / h, y], [0, 0, 1.0]]), 75
    raise ValueError(condition)


def _crop_around(im: Image.Image, mask: np.ndarray, rng: random.Random) -> tuple[int, int, int, int]:
    """(x, y, w, h) of a crop keeping 60-90% of the photo and the whole defect where it fits."""
    w, h = im.size
    keep = rng.uniform(*CROP_KEEP)
    aspect = rng.uniform(0.85, 1.15)
    cw = min(w, round((keep * w * h * aspect) ** 0.5))
    ch = min(h, round(keep * w * h / cw))
    box = dp.mask_box(mask) or (w // 2, h // 2, 1, 1)

    def start(lo_px: int, size: int, crop: int, full: int) -> int:
        lo, hi = max(0, lo_px + size - crop), min(lo_px, full - crop)
        return rng.randint(lo, hi) if lo <= hi else min(max(0, lo_px + (size - crop) // 2), full - crop)

    return start(box[0], box[2], cw, w), start(box[1], box[3], ch, h), cw, ch


def _crop_in_screenshot(
    im: Image.Image, mask: np.ndarray, rng: random.Random
) -> tuple[Image.Image, np.ndarray, np.ndarray, int]:
    """A 60-90% crop around the defect shown in a phone screenshot: the listing's footprint then runs on under the
    app's bars, page and caption text (the crop's cut lies inside the complaint, not at its edge)."""
    x0, y0, cw, ch = _crop_around(im, mask, rng)
    crop = im.crop((x0, y0, x0 + cw, y0 + ch))
    shot, (x, y, pw, ph) = tf.screenshot(crop, rng)
    truth = np.zeros((shot.height, shot.width), bool)
    truth[y : y + ph, x : x + pw] = _scaled_mask(mask[y0 : y0 + ch, x0 : x0 + cw], (pw, ph))
    sx, sy = pw / cw, ph / ch
    return shot, truth, np.array([[sx, 0, x - sx * x0], [0, sy, y - sy * y0], [0, 0, 1.0]]), 75


def _crop_and_tilt(
    im: Image.Image, mask: np.ndarray, rng: random.Random
) -> tuple[Image.Image, np.ndarray, np.ndarray, int]:
    """A crop keeping 60-90% of the photo around the defect, tilted by 2-8 degrees (bicubic, white corners, the
    canvas grown to hold it), re-saved at q80: the "crop and rotation" complaints of issue 19."""
    x0, y0, cw, ch = _crop_around(im, mask, rng)
    angle = rng.choice((-1, 1)) * rng.uniform(*TILT_DEGREES)
    rot = cv2.getRotationMatrix2D((cw / 2, ch / 2), angle, 1.0)
    corners = np.array([[0, 0, 1], [cw, 0, 1], [0, ch, 1], [cw, ch, 1]], float) @ rot.T
    nw, nh = (int(np.ceil(corners[:, i].max() - corners[:, i].min())) for i in (0, 1))
    rot[:, 2] -= corners.min(axis=0)
    crop = np.asarray(im.convert("RGB"))[y0 : y0 + ch, x0 : x0 + cw]
    out = cv2.warpAffine(crop, rot, (nw, nh), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))
    moved = cv2.warpAffine(mask[y0 : y0 + ch, x0 : x0 + cw].astype(np.float32), rot, (nw, nh), flags=cv2.INTER_LINEAR)
    matrix = np.vstack([rot, [0, 0, 1]]) @ np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1.0]])
    return Image.fromarray(out), moved >= 0.25, matrix, 80


def case_seed(seed: int, kind: str | None, condition: str, index: int) -> int:
    """The seed of one case: ``kind`` painted on the ``index``-th source, handed over as ``condition``."""
    return zlib.crc32(f"{seed}/{kind or 'untouched'}/{condition}/{index}".encode())


def visible_after(out: Image.Image, untouched: Image.Image, truth: np.ndarray) -> np.ndarray:
    """The part of ``truth`` that is still visible in the complaint as handed over: where it differs from the
    untouched photo handed over the same way (the same shrink, screenshot) by at least ``dp.VISIBLE_LEVELS`` in
    some channel, the very test that made the truth at full size. A 1 px light scratch 12 levels above its
    surface, shrunk to 35%, differs from the untouched shrunk photo by ~4: nobody can see it there."""
    a = np.asarray(out.convert("RGB"), dtype=np.int16)
    b = np.asarray(untouched.convert("RGB"), dtype=np.int16)
    seen: np.ndarray = truth & (np.abs(a - b).max(axis=2) >= dp.VISIBLE_LEVELS)
    return seen


def build_case(
    source: Path, kind: str | None, condition: str, seed: int, folder: Path
) -> tuple[Image.Image, float, Image.Image, float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(complaint, its decode scale, listing, its decode scale, nudged transform, truth mask in complaint px, painted
    mask in source px, the truth's part still visible as handed over (``visible_after``)) of one case."""
    rng = random.Random(seed)
    im = decode(read_source(source)).image.convert("RGB")
    if kind is None:
        painted, mask = im, np.zeros((im.height, im.width), bool)
    else:
        painted, mask = dp.paint_defect(kind, im, rng)
    same_way = random.Random()
    same_way.setstate(rng.getstate())
    out, truth, matrix, quality = handed_over(condition, painted, mask, rng)
    seen = visible_after(out, handed_over(condition, im, mask, same_way)[0], truth) if kind else truth
    if kind is None and condition == "resave":
        quality = rng.randint(40, 95)
    complaint, c_scale = _decoded(out, quality, folder)
    listing = decode(read_source(source), max_side=1024)
    nudge = np.array([[1, 0, rng.uniform(-0.7, 0.7)], [0, 1, rng.uniform(-0.7, 0.7)], [0, 0, 1.0]])
    return complaint, c_scale, listing.image, listing.scale, nudge @ matrix, truth, mask, seen


def run_case(
    source: Path, kind: str | None, condition: str, seed: int, folder: Path
) -> tuple[float, int, float, tuple[tuple[int, int, int, int], ...], float, float | None]:
    """(box IoU with the truth, number of regions, change-map CPU seconds, regions, the truth's share of the photo,
    box IoU with the truth still visible as handed over, None when nothing of it is) for one case."""
    complaint, c_scale, listing, l_scale, matrix, truth, mask, seen = build_case(source, kind, condition, seed, folder)
    t0 = time.process_time()
    change = change_map(complaint, c_scale, listing, l_scale, matrix)
    cpu = time.process_time() - t0
    found, box, seen_box = tf.union_box(change.regions), dp.mask_box(truth), dp.mask_box(seen)
    iou = tf.box_iou(found, box) if found and box else 0.0
    iou_seen = (tf.box_iou(found, seen_box) if found else 0.0) if seen_box else None
    return iou, len(change.regions), cpu, change.regions, float(mask.mean()), iou_seen


COST_SOURCE = "product-photos/ukbench__ukbench09040.jpg"
"""A mailbox on a patterned carpet: texture everywhere, the slow case for the thin and faint tests."""


def map_cost(folder: Path) -> None:
    """Print the change map's CPU time on a 12 MP complaint (see the module's docstring)."""
    im = decode(read_source(mr.TESTDATA / COST_SOURCE)).image.convert("RGB")
    big = im.resize((4000, 3000), Image.Resampling.BICUBIC)
    painted, _ = dp.paint_defect("crack", big, random.Random(1))
    complaint_path, listing_path = folder / "complaint.jpg", folder / "listing.jpg"
    painted.save(complaint_path, quality=90)
    big.save(listing_path, quality=90)
    complaint = decode(read_source(complaint_path), max_side=1600)
    listing = decode(read_source(listing_path), max_side=1024)
    times = []
    for _ in range(5):
        t0 = time.process_time()
        change_map(complaint.image, complaint.scale, listing.image, listing.scale, np.eye(3))
        times.append(time.process_time() - t0)
    print(
        f"change map on a 12 MP complaint (decoded {complaint.image.width} x {complaint.image.height}): "
        f"{1000 * min(times):.0f} ms CPU, one thread (runs: {', '.join(f'{1000 * t:.0f}' for t in times)}); "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def _found(ious: list[float]) -> str:
    hits = sum(1 for x in ious if x >= 0.3)
    return f"{hits}/{len(ious)} ({100 * hits / len(ious):.0f}%)" if ious else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=16)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--misses", action="store_true", help="print every miss and false region")
    ap.add_argument("--kinds", default=",".join(dp.PAINTERS), help="defect kinds to run (comma-separated)")
    ap.add_argument("--untouched", default=",".join(UNTOUCHED), help="untouched copies to run ('' for none)")
    ap.add_argument("--conditions", default=",".join(CONDITIONS), help="hand-overs to run (comma-separated)")
    ap.add_argument("--cost", action="store_true", help="only measure the change map's CPU time on a 12 MP complaint")
    ap.add_argument("--out", type=Path, help="write every case's result to this JSON file")
    args = ap.parse_args()
    cv2.setNumThreads(1)  # CPU time of one thread: the shared machine's load does not count
    if args.cost:
        with tempfile.TemporaryDirectory() as tmp_name:
            map_cost(Path(tmp_name))
        return
    library, _ = mr._photos()
    usable = [p for p in library if p.suffix.lower() not in {".heic", ".heif"} and mr._big_enough(p)]
    sources = pick_sources(usable, args.sources, args.seed)
    cases: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        folder = Path(tmp_name)
        n_rich = sum(1 for _, rich in sources if rich)
        print(f"{len(sources)} sources ({len(sources) - n_rich} plain, {n_rich} textured), seed {args.seed}\n")
        print("| defect kind | handed over | region found (IoU >= 0.3) | mean IoU | change map CPU ms |")
        print("|---|---|---|---|---|")
        for kind in [k for k in args.kinds.split(",") if k]:
            for condition in [c for c in args.conditions.split(",") if c]:
                ious, cpus = [], []
                for i, (src, rich) in enumerate(sources):
                    seed = case_seed(args.seed, kind, condition, i)
                    iou, _, cpu, regions, share, iou_seen = run_case(src, kind, condition, seed, folder)
                    ious.append(iou)
                    cpus.append(cpu)
                    cases.append(
                        {
                            "kind": kind,
                            "condition": condition,
                            "source": src.name,
                            "textured": rich,
                            "share": share,
                            "iou": iou,
                            "iou_visible": iou_seen,
                            "regions": len(regions),
                            "boxes": [list(r) for r in regions],
                            "cpu": cpu,
                        }
                    )
                    if args.misses and iou < 0.3:
                        seen_text = "invisible" if iou_seen is None else f"{iou_seen:.2f}"
                        print(
                            f"MISS {kind} {condition} {src.name} share={share:.4f} iou={iou:.2f} "
                            f"(visible truth: {seen_text}) {regions[:3]}"
                        )
                print(f"| {kind} | {condition} | {_found(ious)} | {np.mean(ious):.2f} | {1000 * np.mean(cpus):.0f} |")
        print(
            "\n| defect kind | region found, all hand-overs | mean IoU | plain sources | textured sources |"
            + "".join(f" {label} |" for _, _, label in SIZE_BANDS)
        )
        print("|---|---|---|---|---|" + "---|" * len(SIZE_BANDS))
        for kind in dict.fromkeys(str(c["kind"]) for c in cases):
            mine = [c for c in cases if c["kind"] == kind]
            ious = [float(c["iou"]) for c in mine]  # type: ignore[arg-type]
            plain = [float(c["iou"]) for c in mine if not c["textured"]]  # type: ignore[arg-type]
            rich = [float(c["iou"]) for c in mine if c["textured"]]  # type: ignore[arg-type]
            bands = [
                [float(c["iou"]) for c in mine if lo <= float(c["share"]) < hi]  # type: ignore[arg-type]
                for lo, hi, _ in SIZE_BANDS
            ]
            print(
                f"| {kind} | {_found(ious)} | {np.mean(ious):.2f} | {_found(plain)} | {_found(rich)} |"
                + "".join(f" {_found(b)} |" for b in bands)
            )
        print(
            "\n| defect kind, truth visible as handed over | cases with a visible truth | region found | mean IoU |"
            + "".join(f" {c} |" for c in args.conditions.split(",") if c)
        )
        print("|---|---|---|---|" + "---|" * len([c for c in args.conditions.split(",") if c]))
        for kind in dict.fromkeys(str(c["kind"]) for c in cases):
            mine = [c for c in cases if c["kind"] == kind and c["iou_visible"] is not None]
            seen_ious = [float(c["iou_visible"]) for c in mine]  # type: ignore[arg-type]
            per = [
                _found([float(c["iou_visible"]) for c in mine if c["condition"] == cond])  # type: ignore[arg-type]
                for cond in args.conditions.split(",")
                if cond
            ]
            total = sum(1 for c in cases if c["kind"] == kind)
            print(
                f"| {kind} | {len(mine)}/{total} | {_found(seen_ious)} | {np.mean(seen_ious) if seen_ious else 0:.2f} |"
                + "".join(f" {p} |" for p in per)
            )
        print("\n| untouched copy | no region | plain | textured |")
        print("|---|---|---|---|")
        for condition in [c for c in args.untouched.split(",") if c]:
            clean = {False: 0, True: 0}
            for i, (src, rich) in enumerate(sources):
                seed = case_seed(args.seed, None, condition, i)
                _, count, cpu, regions, _, _ = run_case(src, None, condition, seed, folder)
                clean[rich] += count == 0
                cases.append(
                    {
                        "kind": "untouched",
                        "condition": condition,
                        "source": src.name,
                        "textured": rich,
                        "regions": count,
                        "boxes": [list(r) for r in regions],
                        "cpu": cpu,
                    }
                )
                if args.misses and count:
                    print(f"FALSE {condition} {src.name} {regions[:3]}")
            total = clean[False] + clean[True]
            print(
                f"| {condition} | {total}/{len(sources)} ({100 * total / len(sources):.0f}%) | "
                f"{clean[False]}/{len(sources) - n_rich} | {clean[True]}/{n_rich} |"
            )
    if args.out:
        args.out.write_text(json.dumps(cases, indent=1))


if __name__ == "__main__":
    main()
