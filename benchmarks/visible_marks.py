"""Visible AI marks (ai-visible-mark): detection rate per mark style, false marks, OCR time. One command:

    nice -n 10 .venv/bin/python benchmarks/visible_marks.py [--limit N] [--testdata DIR]

Marks from the table are drawn in code (tests/checks/visible_mark_support.py: white text with a soft
shadow, in a corner, margin half the text height) on ``--limit`` real photos from ../shared/testdata
(short side >= 300 px, enlarged to a 720 px short side when smaller, as a chat app delivers), in these
styles:

- size sweep: 12, 16, 24, 32, 48 px at opacity 0.8;
- opacity sweep: 0.3, 0.5, 0.7, 1.0 at 32 px;
- half-cropped: 32 px, opacity 0.8, the frame's side edge through the middle of the mark;
- resized to half then JPEG q50 (a chat app): 48 px, opacity 0.8.

"Clear" marks are the size and opacity sweeps at >= 16 px and opacity >= 0.5 (target >= 95 %);
half-cropped ones should be found >= 80 % of the time. A detection is a sighting of the drawn mark
(for a cut one, also of a table mark inside it: "豆包AI生成" cut on the left reads "AI生成").
False marks: every readable photo in the test data, untouched (target 0), for ai-visible-mark and
screenshot-context. Time: CPU seconds of
``find_marks`` on 12 MP (4000x3000) copies (process time, all threads: the OCR runs on cv2.dnn), and the
wall time of every registered check on one 12 MP JPEG.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shopguard.checks.context import CheckContext  # noqa: E402
from shopguard.checks.runner import run_checks  # noqa: E402
from shopguard.checks.screenshot_context import ScreenshotContextCheck  # noqa: E402
from shopguard.checks.visible_mark import find_marks  # noqa: E402
from shopguard.checks.visible_mark_table import normalise  # noqa: E402
from shopguard.imaging import decode, probe, read_source  # noqa: E402
from shopguard.imaging.ocr import load_engine  # noqa: E402
from tests.checks.visible_mark_support import CORNERS, cut_half, draw_mark, jpeg_roundtrip  # noqa: E402

MARKS = ("豆包AI生成", "即梦AI", "AI生成", "由AI生成", "AI-generated", "Made with AI", "Imagined with AI")
SIZES = (12, 16, 24, 32, 48)
OPACITIES = (0.3, 0.5, 0.7, 1.0)
BASE_SHORT_SIDE_PX = 720
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".avif", ".tif", ".tiff", ".bmp", ".gif"}


def _photos(testdata: Path) -> list[Path]:
    return sorted(p for p in testdata.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def _bases(testdata: Path, limit: int) -> list[Image.Image]:
    candidates = []
    for folder in ("exif-camera", "product-photos", "product-photos-more"):
        for path in sorted((testdata / folder).glob("*.jp*g")):
            if "corrupt" in path.name or "invalid" in path.name:
                continue
            with Image.open(path) as im:
                if min(im.size) >= 300:
                    candidates.append(path)
    step = max(1, len(candidates) // limit)
    chosen = candidates[::step][:limit]
    bases = []
    for path in chosen:
        image = decode(read_source(path)).image
        # Complaint photos arrive at chat-app size or larger; on a 348 px photo a 48 px English mark
        # would not even fit. Enlarge small bases to a 720 px short side (what WeChat keeps at least).
        factor = max(1.0, BASE_SHORT_SIDE_PX / min(image.size))
        size = (round(image.width * factor), round(image.height * factor))
        bases.append(image.resize(size, Image.Resampling.BICUBIC) if factor > 1 else image)
    return bases


def _found(image: Image.Image, text: str, cut: bool) -> bool:
    key = normalise(text)
    for sighting in find_marks(image):
        mark = sighting.match.mark.key
        if mark == key or (cut and mark in key):
            return True
    return False


def detection(bases: list[Image.Image]) -> dict[str, dict[str, list[bool]]]:
    """results[style group][value] = list of found/missed."""
    results: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    run = 0
    for base in bases:
        for text in MARKS:
            latin = text.isascii()
            for px in SIZES:
                corner = CORNERS[run % 4]
                run += 1
                marked, _ = draw_mark(base, text, px, 0.8, corner, latin)
                hit = _found(marked, text, cut=False)
                results["size px (opacity 0.8)"][str(px)].append(hit)
                if px >= 16:
                    results["mark (clear)"][text].append(hit)
                    results["clear (>=16 px, opacity >=0.5)"]["all"].append(hit)
            for opacity in OPACITIES:
                corner = CORNERS[run % 4]
                run += 1
                marked, _ = draw_mark(base, text, 32, opacity, corner, latin)
                hit = _found(marked, text, cut=False)
                results["opacity (32 px)"][str(opacity)].append(hit)
                if opacity >= 0.5:
                    results["mark (clear)"][text].append(hit)
                    results["clear (>=16 px, opacity >=0.5)"]["all"].append(hit)
            corner = CORNERS[run % 4]
            run += 1
            marked, box = draw_mark(base, text, 32, 0.8, corner, latin)
            cut_hit = _found(cut_half(marked, box, corner), text, cut=True)
            results["half-cropped (32 px, 0.8)"][text].append(cut_hit)
            results["half-cropped (32 px, 0.8)"]["all"].append(cut_hit)
            marked, _ = draw_mark(base, text, 48, 0.8, CORNERS[run % 4], latin)
            run += 1
            small = marked.resize((marked.width // 2, marked.height // 2), Image.Resampling.LANCZOS)
            results["resize 0.5 + JPEG q50 (48 px)"]["all"].append(_found(jpeg_roundtrip(small, 50), text, False))
    return results


def false_marks(testdata: Path) -> tuple[int, list[str]]:
    """ai-visible-mark sightings and screenshot-context findings on every untouched photo."""
    photos, hits = 0, []
    for path in _photos(testdata):
        try:
            source = read_source(path)
            image = decode(source).image
        except Exception:  # noqa: BLE001 - bad-inputs holds files that must not decode; skip them here
            continue
        photos += 1
        name = path.relative_to(testdata)
        for s in find_marks(image):
            hits.append(f"{name}: {s.match.mark.text} ({s.strength.value}) read {s.line.text!r}")
        for f in ScreenshotContextCheck().run(CheckContext(source=source, facts=probe(source))):
            hits.append(f"{name}: screenshot-context {f.category.value} ({f.strength.value})")
    return photos, hits


def screenshot_time(base: Image.Image) -> float:
    """Wall time of screenshot-context on a 1080x2340 listing-page screenshot drawn in code."""
    from tests.checks.test_screenshot_context import listing_page

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "listing.png"
        listing_page(base).save(path)
        source = read_source(path)
        start = time.perf_counter()
        findings = ScreenshotContextCheck().run(CheckContext(source=source, facts=probe(source)))
        elapsed = time.perf_counter() - start
    if not findings:
        print("  (the listing screenshot was not recognised)")
    return elapsed


def ocr_time_12mp(bases: list[Image.Image]) -> list[float]:
    times = []
    for base in bases:
        big = base.resize((4000, 3000), Image.Resampling.BICUBIC)
        start = time.process_time()
        find_marks(big)
        times.append(time.process_time() - start)
    return times


def suite_time_12mp(base: Image.Image) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "photo-12mp.jpg"
        base.resize((4000, 3000), Image.Resampling.BICUBIC).save(path, quality=90)
        source = read_source(path)
        ctx = CheckContext(source=source, facts=probe(source), artifact_dir=Path(tmp) / "art")
        start = time.perf_counter()
        run_checks(ctx)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=6, help="base photos to draw marks on")
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    parser.add_argument("--no-false-marks", action="store_true", help="skip the pass over every test photo")
    args = parser.parse_args()
    start = time.perf_counter()
    load_engine()
    print(f"model load: {time.perf_counter() - start:.2f} s")
    bases = _bases(args.testdata, args.limit)
    results = detection(bases)
    print(f"\n{len(bases)} base photos x {len(MARKS)} marks\n")
    print(f"{'style':34} {'value':18} {'found':>7} {'rate':>7}")
    for group, rows in results.items():
        for value, hits in rows.items():
            print(f"{group:34} {value:18} {sum(hits):>3}/{len(hits):<3} {100 * sum(hits) / len(hits):6.1f}%")
    if not args.no_false_marks:
        photos, hits = false_marks(args.testdata)
        print(f"\nfalse marks: {len(hits)} on {photos} untouched photos in {args.testdata}")
        for line in hits:
            print("  ", line)
    times = ocr_time_12mp(bases)
    print(f"\nOCR CPU time per 12 MP photo (borders): median {statistics.median(times):.3f} s, max {max(times):.3f} s")
    print(f"every check on one 12 MP JPEG (wall): {suite_time_12mp(bases[0]):.2f} s")
    print(f"screenshot-context on a 1080x2340 listing screenshot (wall): {screenshot_time(bases[0]):.2f} s")


if __name__ == "__main__":
    main()
