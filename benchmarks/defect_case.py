"""One case of ``matching_defects.py`` rebuilt and its change map's pictures written, to see why it is missed.

The case is named as the benchmark's ``--misses`` lines name it (seed, defect kind or ``untouched``, hand-over,
source file name); it is rebuilt with the same seeds, so the same painting, hand-over and nudge. Written to
``--out`` (PNG, working size of the change map): ``complaint``, ``listing`` (aligned and colour-mapped, unblurred,
as the thin and faint tests see it), ``residual`` (grey, 128 + 4 x complaint - listing), ``truth`` and ``changed``
(the complaint with the changed pixels in red, the faint ones in yellow, the truth's outline in green).

Usage: python benchmarks/defect_case.py SEED KIND CONDITION SOURCE_NAME [--sources N] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import defect_painting as dp
import matching_defects as md
import matching_robustness as mr
import matching_transforms as tf

from shopguard.library import region_diff


def _save(path: Path, rgb: np.ndarray) -> None:
    cv2.imwrite(str(path), cv2.cvtColor(np.clip(rgb, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("kind", help="a defect kind of defect_painting.py, or 'untouched'")
    ap.add_argument("condition", help="full, shrink, resave, screenshot (or colour, untouched only)")
    ap.add_argument("source", help="the source's file name, as --misses prints it")
    ap.add_argument("--sources", type=int, default=16, help="as given to matching_defects.py")
    ap.add_argument("--out", type=Path, default=Path("defect_case"))
    args = ap.parse_args()
    cv2.setNumThreads(1)
    library, _ = mr._photos()
    usable = [p for p in library if p.suffix.lower() not in {".heic", ".heif"} and mr._big_enough(p)]
    sources = md.pick_sources(usable, args.sources, args.seed)
    index = next((i for i, (p, _) in enumerate(sources) if p.name == args.source), None)
    if index is None:
        sys.exit(f"{args.source} is not among the {args.sources} sources of seed {args.seed}")
    kind = None if args.kind == "untouched" else args.kind
    if kind is not None and kind not in dp.PAINTERS:
        sys.exit(f"unknown defect kind {kind!r}: {', '.join(dp.PAINTERS)} or untouched")
    seen: dict[str, np.ndarray] = {}
    patches = region_diff.patches

    def watched(
        complaint: np.ndarray,
        listing: np.ndarray,
        overlap: np.ndarray,
        lines: np.ndarray,
        source: np.ndarray | None = None,
    ) -> np.ndarray:
        seen.update(complaint=complaint, listing=listing)
        return patches(complaint, listing, overlap, lines, source)

    region_diff.patches = watched  # the compared pixels, as the faint tests see them
    seed = md.case_seed(args.seed, kind, args.condition, index)
    with tempfile.TemporaryDirectory() as tmp_name:
        complaint, c_scale, listing, l_scale, matrix, truth, mask, _ = md.build_case(
            sources[index][0], kind, args.condition, seed, Path(tmp_name)
        )
    change = region_diff.change_map(complaint, c_scale, listing, l_scale, matrix)
    found, box = tf.union_box(change.regions), dp.mask_box(truth)
    iou = tf.box_iou(found, box) if found and box else 0.0
    print(
        f"{args.source} {args.kind} {args.condition}: truth box {box} ({100 * float(mask.mean()):.2f}% of the photo), "
        f"regions {change.regions[:5]}, IoU {iou:.2f}, working size {change.changed.shape[::-1]}"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    c, lis = seen["complaint"], seen["listing"]
    h, w = change.changed.shape
    small_truth = cv2.resize(truth.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    _save(args.out / "complaint.png", c)
    _save(args.out / "listing.png", lis)
    _save(args.out / "residual.png", np.repeat((128 + 4 * (c - lis).mean(axis=2))[..., None], 3, axis=2))
    _save(args.out / "truth.png", np.repeat(small_truth[..., None] * 255.0, 3, axis=2))
    shown = c.copy()
    shown[change.changed] = 0.4 * shown[change.changed] + 0.6 * np.array([255, 0, 0], np.float32)
    if change.faint is not None:
        shown[change.faint] = 0.4 * shown[change.faint] + 0.6 * np.array([255, 220, 0], np.float32)
    rim = small_truth & ~(cv2.erode(small_truth.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    shown[rim] = (0, 255, 0)
    _save(args.out / "changed.png", shown)
    print(f"pictures in {args.out}/")


if __name__ == "__main__":
    main()
