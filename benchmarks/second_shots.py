"""Second shots vs copies: real second exposures of one scene must never read as "derived".

Negatives (real photos only, ../shared/testdata): every ordered pair of photos of one session
- grocery: GroceryStoreDataset, 15 products x 5 hand-held phone photos seconds apart in one aisle (300 pairs);
- abo: Amazon Berkeley Objects studio views of one product from one shoot (3 products, 38 pairs);
- jsk: the same APC item photographed twice (another camera, another day; 16 pairs);
- mockup views: Solidus/Spree renders of one product from another angle (template siblings are
  matching_robustness.py's business).
Each complaint photo is compared with ONE listing photo (a library of one: no sibling can rescue the decision),
exactly as find_sources does for a candidate: geometric verification, dense comparison, decision.
Positives: the copy transforms of matching_robustness.py on its sampled sources, compared with their source.

Usage: python benchmarks/second_shots.py [--seeds 3 4] [--sources 30] [--stats] [--negatives-only]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import defect_painting
import matching_robustness as robust
import matching_transforms as tf
import numpy as np

from shopguard.imaging import decode, read_source
from shopguard.library import matcher
from shopguard.library.features import COMPLAINT_SIDE, LocalFeatures
from shopguard.library.fingerprint import fingerprint
from shopguard.library.region_diff import change_map
from shopguard.library.verification import complaint_features, verify_geometry

TESTDATA = tf.find_testdata()
_FEATURES: dict[Path, tuple[LocalFeatures, tuple[int, int]]] = {}
_LISTING: dict[Path, tuple[Image.Image, float]] = {}


def _listing(path: Path) -> tuple[LocalFeatures, tuple[int, int], Image.Image, float]:
    if path not in _FEATURES:
        fp = fingerprint(read_source(path), {}, with_features=True)
        assert fp.features is not None
        _FEATURES[path] = (fp.features, (fp.facts.width, fp.facts.height))
        d = decode(read_source(path), max_side=1024)
        _LISTING[path] = (d.image, d.scale)
    feats, size = _FEATURES[path]
    image, scale = _LISTING[path]
    return feats, size, image, scale


def compare(listing: Path, complaint: Image.Image) -> tuple[str, str, dict[str, float]] | None:
    """The decision for this one candidate before the second-shot rule (``_classify``) and with it (as
    ``find_sources`` decides: "derived", "same-base", "same-scene" or "none"), and its measures; None when the pair
    does not verify geometrically."""
    d = decode_image(complaint)
    query = complaint_features(d[0], d[1], COMPLAINT_SIDE)
    full = (round(d[0].width / d[1]), round(d[0].height / d[1]))
    feats, size, image, scale = _listing(listing)
    geometry = verify_geometry(feats, query, full, size)
    if geometry is None:
        return None
    change = change_map(d[0], d[1], image, scale, geometry.matrix)
    before = matcher._classify(change, geometry) or "none"
    # what _decide does for a lone candidate: the second-shot rule for a derived one with changed regions
    motion = matcher._motion(change)  # measured for every pair, to show the distributions
    now = "same-scene" if before == "derived" and change.regions and motion.second_exposure else before
    stats = {
        "inliers": float(geometry.inliers),
        "changed": change.changed_share,
        "sim_out": change.similarity_outside,
        **{k: float(v) for k, v in vars(motion).items()},
    }
    return before, now, stats


def decode_image(im: Image.Image) -> tuple[Image.Image, float]:
    """As a check decodes a complaint: at most 1600 px."""
    fit = min(1.0, 1600 / max(im.size))
    if fit < 1.0:
        im = im.resize((round(im.width * fit), round(im.height * fit)), Image.Resampling.LANCZOS)
    return im.convert("RGB"), fit


def negative_pairs() -> dict[str, list[tuple[Path, Path]]]:
    groups: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for p in sorted((TESTDATA / "product-photos-more").iterdir()):
        parts = p.stem.split("__")
        if len(parts) == 3:
            groups[(parts[0], parts[1])].append(p)
    for p in sorted((TESTDATA / "product-photos").glob("abo__*.jpg")):
        groups[("abo", p.stem.split("__")[1])].append(p)
    label = {
        "grocerystore": "grocery",
        "abo": "abo",
        "jskapc": "jsk",
        "solidus": "mockup-views",
        "spree": "mockup-views",
    }
    out: dict[str, list[tuple[Path, Path]]] = defaultdict(list)
    for (source, _product), photos in groups.items():
        for a in photos:
            for b in photos:
                if a != b:
                    out[label[source]].append((a, b))
    return out


def _fmt(stats: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.3f}" if not math.isnan(v) else f"{k}=nan" for k, v in stats.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[3, 4])
    ap.add_argument("--sources", type=int, default=30)
    ap.add_argument("--stats", action="store_true", help="print every compared pair's measures")
    ap.add_argument("--negatives-only", action="store_true")
    ap.add_argument(
        "--handed-over",
        action="store_true",
        help="send each second shot on as a buyer would (re-saved, shrunk, screenshot, colour, turned) instead",
    )
    ap.add_argument("--sources-like", nargs="*", default=None, help="only the negative sources named (grocery ...)")
    ap.add_argument("--positives-only", action="store_true")
    ap.add_argument(
        "--variants", nargs="*", default=None, help="only the copy variants whose name contains one of these"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    neg_rows = []
    if not args.positives_only:
        handovers = {k: v for k, v in HANDOVERS.items() if (k != "as taken") == args.handed_over}
        for (source, how), pairs in [((s, h), p) for s, p in negative_pairs().items() for h in handovers]:
            if args.sources_like and source not in args.sources_like:
                continue
            verified = derived_before = derived = same_scene = same_base = 0
            for listing, complaint_path in pairs:
                shot = handovers[how](decode(read_source(complaint_path)).image, random.Random(complaint_path.name))
                result = compare(listing, Image.open(_png(shot)).convert("RGB"))
                if result is None:
                    continue
                verified += 1
                before, kind, stats = result
                derived_before += before == "derived"
                derived += kind == "derived"
                same_scene += kind == "same-scene"
                same_base += kind == "same-base"
                if args.stats:
                    print(
                        "NEG",
                        source,
                        f"{before}->{kind}",
                        listing.name,
                        complaint_path.name,
                        how.replace(" ", "_"),
                        _fmt(stats),
                        flush=True,
                    )
            label = f"{source}, {how}" if args.handed_over else source
            neg_rows.append((label, len(pairs), verified, derived_before, derived, same_scene, same_base))
    pos_rows = []
    if not args.negatives_only:
        library, _held_out = robust._photos()
        usable = [p for p in library if p.suffix.lower() not in {".heic", ".heif"} and robust._big_enough(p)]
        for seed in args.seeds:
            sources = random.Random(seed).sample(usable, min(args.sources, len(usable)))
            for name, variant in {**robust._variants(), **_edits()}.items():
                if args.variants and not any(v in name for v in args.variants):
                    continue
                hits = hits_before = total = 0
                for i, src in enumerate(sources):
                    if len(_listing(src)[0]) < robust.MIN_SOURCE_KEYPOINTS:
                        continue
                    im = decode(read_source(src)).image
                    out, _truth = variant(im, random.Random(zlib.crc32(f"{seed}/{name}/{i}".encode())))
                    out = Image.open(_png(out)).convert("RGB")
                    result = compare(src, out)
                    total += 1
                    hits_before += result is not None and result[0] == "derived"
                    hits += result is not None and result[1] == "derived"
                    if args.stats and result is not None:
                        print("POS", seed, name, f"{result[0]}->{result[1]}", src.name, _fmt(result[2]), flush=True)
                pos_rows.append((seed, name, hits_before, hits, total))
    print()
    if neg_rows:
        print(
            "| second shots / other views (real photos) | pairs | verified | derived before | derived now "
            "| same scene | same base |"
        )
        print("|---|---|---|---|---|---|---|")
        for source, n, v, d0, d, sc, sb in neg_rows:
            print(f"| {source} | {n} | {v} | {d0} | **{d}** | {sc} | {sb} |")
    if pos_rows:
        print("\n| copy (compared with its source) | seed | derived before | derived now |")
        print("|---|---|---|---|")
        for seed, name, h0, hits, total in pos_rows:
            print(f"| {name} | {seed} | {h0}/{total} | {hits}/{total} ({100 * hits / max(1, total):.0f}%) |")
    print(f"\n{time.perf_counter() - t0:.0f} s")


HANDOVERS: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "as taken": lambda im, r: im,
    "re-saved q60": lambda im, r: tf.jpeg(im, 60),
    "shrunk 70% + q70": lambda im, r: tf.jpeg(tf.resize(im, 0.7), 70),
    "screenshot": lambda im, r: tf.jpeg(tf.screenshot(im, r)[0], 75),
    "colour shift": lambda im, r: tf.colour(im, r),
    "turned 10°": lambda im, r: tf.rotate(im, 10),
}
"""How a second shot reaches the seller: the buyer (or whoever leaked it) sends it on like any photo."""


def _edits() -> dict[str, robust.Variant]:
    """Edits a buyer makes on a copy that change content: the defect kinds of defect_painting.py (re-saved at
    q70) and a cloned patch (copy-move, as tests/checks/forensic_edits.py makes it)."""

    def painter(kind: str) -> robust.Variant:
        return lambda im, r: (tf.jpeg(defect_painting.paint_defect(kind, im, r)[0], 70), None)

    def clone(im: Image.Image, r: random.Random) -> tuple[Image.Image, tf.Box | None]:
        px = np.asarray(im.convert("RGB")).copy()
        h, w = px.shape[:2]
        size = int(min(h, w) * r.uniform(0.1, 0.25))
        sx, sy = r.randint(0, w - size), r.randint(0, h - size)
        tx, ty = r.randint(0, w - size), r.randint(0, h - size)
        px[ty : ty + size, tx : tx + size] = px[sy : sy + size, sx : sx + size]
        return tf.jpeg(Image.fromarray(px), 85), None

    return {**{f"defect {k}": painter(k) for k in defect_painting.PAINTERS}, "cloned patch": clone}


def _png(im: Image.Image) -> object:
    import io

    buf = io.BytesIO()
    im.save(buf, "PNG")
    buf.seek(0)
    return buf


if __name__ == "__main__":
    main()
