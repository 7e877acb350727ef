"""Accuracy and speed of the pixel-forensics checks: one command, one table.

    /work/venv/bin/python benchmarks/forensics_accuracy.py [--limit N] [--testdata DIR]

For every real photo in the untouched sets (exif-camera, product-photos, product-photos-more,
heic-avif) it runs error-level, jpeg-ghost, noise-consistency and copy-move and counts a false
positive when a check says ``weak`` or more. For the photos with a short side ≥ 300 px it also
makes edited copies (painted stain, inpainted area, spliced patch from another photo, cloned patch;
see tests/checks/forensic_edits.py), saved as JPEG q90, plus the stain and inpaint copies saved at
q95 instead (an editing app's export at another quality than the original's), plus the stain,
inpaint and clone copies re-compressed at q75 as a chat app would, and counts a detection when the
check says ``weak`` or more *and* its region overlaps the edited box. It also re-saves each
untouched photo at q80 (what a chat app does to an honest buyer's photo), at q95 (an app that
re-saves at a higher quality), at q70 then q95 (two honest saves, the second one finer: the
cleanest JPEG ghost an honest photo can have) and the same with a 3×5 px crop between the saves,
as further false-positive sets. One more edit starts from a q70 "listing", crops it by 3×5 px,
paints a stain and saves at q95 (the earlier grid no longer lines up with the file's). The two
"any" columns say whether at least one of the checks found the edit (or accused an untouched
photo), without and with jpeg-ghost. ``--checks`` limits the run to some checks (the "any" columns then cover those).
"""

from __future__ import annotations

import argparse
import os
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
from shopguard.checks.copy_move import CopyMoveCheck  # noqa: E402
from shopguard.checks.error_level import ErrorLevelCheck  # noqa: E402
from shopguard.checks.findings import Finding, Strength  # noqa: E402
from shopguard.checks.jpeg_ghost import JpegGhostCheck  # noqa: E402
from shopguard.checks.noise_consistency import NoiseConsistencyCheck  # noqa: E402
from shopguard.errors import ImageReadError  # noqa: E402
from shopguard.imaging import decode, probe, read_source  # noqa: E402
from tests.checks import forensic_edits as edits  # noqa: E402

SETS = ("exif-camera", "product-photos", "product-photos-more", "heic-avif")
SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp"}
KINDS = (
    "painted stain",
    "inpainted area",
    "spliced patch",
    "cloned patch",
    "painted stain, saved q95",
    "inpainted area, saved q95",
    "q70 listing cropped, stain, q95",
    "painted stain, then q75",
    "inpainted area, then q75",
    "cloned patch, then q75",
)
ALL_CHECKS = (ErrorLevelCheck(), JpegGhostCheck(), NoiseConsistencyCheck(), CopyMoveCheck())
CHECKS = ALL_CHECKS
NEW = "jpeg-ghost"
ANY_BEFORE, ANY_AFTER = "any, before", "any, after"
JUDGED = ("forensic.ghost.consistent", "forensic.ghost.region")
"""jpeg-ghost findings that mean "the photo carries an earlier save, so I could judge it"."""
"""The check added in session 2: "any, before" leaves it out, "any, after" includes it."""
FP_SETS = ("untouched", "re-saved q80", "re-saved q95", "re-saved q70 then q95", "re-saved q70, cropped, then q95")


def run(path: Path, artifacts: Path) -> dict[str, tuple[list[Finding], float]]:
    source = read_source(path)
    ctx = CheckContext(source=source, facts=probe(source), artifact_dir=artifacts)
    out = {}
    for check in CHECKS:
        start = time.perf_counter()
        findings = check.run(ctx)
        out[check.id] = (findings, (time.perf_counter() - start) * 1000)
    return out


def flagged(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.strength.rank >= Strength.WEAK.rank]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--testdata",
        type=Path,
        default=Path(os.environ.get("SHOPGUARD_TESTDATA") or REPO.parent / "shared" / "testdata"),
    )
    parser.add_argument("--limit", type=int, default=0, help="at most N photos (0 = all)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--checks", default="", help="comma-separated check ids (default: all)")
    parser.add_argument("--timing-only", action="store_true", help="only the 12 MP timing table")
    args = parser.parse_args()
    global CHECKS
    if args.checks:
        CHECKS = tuple(c for c in ALL_CHECKS if c.id in args.checks.split(","))
    photos = sorted(p for s in SETS for p in (args.testdata / s).glob("*") if p.suffix.lower() in SUFFIXES)
    if args.limit:
        photos = photos[: args.limit]
    if args.timing_only:
        with tempfile.TemporaryDirectory() as tmp_name:
            time_12mp(photos, Path(tmp_name))
        return
    fp: dict[tuple[str, str], list[int]] = defaultdict(list)  # (set, check) -> 0/1 per photo
    strongest: dict[tuple[str, str], str] = {}
    hits: dict[tuple[str, str], list[int]] = defaultdict(list)  # (edit, check) -> 0/1
    moderate: dict[tuple[str, str], list[int]] = defaultdict(list)  # (edit, check) -> 0/1
    fp_moderate: dict[tuple[str, str], list[int]] = defaultdict(list)  # (set, check) -> 0/1
    ghost_judged: dict[str, list[int]] = defaultdict(list)  # edit -> 0/1 (jpeg-ghost found an earlier save)
    ghost_found_when_judged: dict[str, list[int]] = defaultdict(list)
    times: dict[str, list[float]] = defaultdict(list)
    donor = None
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for index, path in enumerate(photos):
            try:
                results = run(path, tmp / "ev")
                photo = decode(read_source(path)).image
            except ImageReadError:
                continue
            accused = {c for c, (findings, _) in results.items() if flagged(findings)}
            fp[("untouched", ANY_BEFORE)].append(int(bool(accused - {NEW})))
            fp[("untouched", ANY_AFTER)].append(int(bool(accused)))
            for check_id, (findings, ms) in results.items():
                times[check_id].append(ms)
                bad = flagged(findings)
                fp[("untouched", check_id)].append(int(bool(bad)))
                fp_moderate[("untouched", check_id)].append(int(_moderate(findings)))
                if bad and args.verbose:
                    print(f"FP {check_id} {bad[0].strength} {path.name}: {bad[0].detail()}")
                top = max((f.strength for f in findings), key=lambda s: s.rank, default=Strength.INFO)
                if top.rank > Strength(strongest.get(("untouched", check_id), "info")).rank:
                    strongest[("untouched", check_id)] = top.value
            for quality in (80, 95, 70, -70):
                resaved = tmp / f"{index}-resave{quality}.jpg"
                photo.save(resaved, "JPEG", quality=abs(quality))
                if quality in (70, -70):  # then an app saves it again, higher: a clean JPEG ghost of q70
                    twice = tmp / f"{index}-resave{quality}-95.jpg"
                    again = Image.open(resaved)
                    if quality < 0:  # ...after cropping 3 px left and 5 px top (the grid moves)
                        again = again.crop((3, 5, again.width, again.height))
                    again.save(twice, "JPEG", quality=95)
                    resaved = twice
                results = run(resaved, tmp / "ev")
                accused = {c for c, (findings, _) in results.items() if flagged(findings)}
                fp[(_resave_set(quality), ANY_BEFORE)].append(int(bool(accused - {NEW})))
                fp[(_resave_set(quality), ANY_AFTER)].append(int(bool(accused)))
                for check_id, (findings, _) in results.items():
                    bad = flagged(findings)
                    fp[(_resave_set(quality), check_id)].append(int(bool(bad)))
                    fp_moderate[(_resave_set(quality), check_id)].append(int(_moderate(findings)))
                    if bad and args.verbose:
                        print(f"FP q{quality} {check_id} {bad[0].strength} {path.name}: {bad[0].detail()}")
            if min(photo.size) < 300:
                continue
            made: list[tuple[str, Path, list[edits.Box]]] = []
            p, box = edits.paint_stain(photo, tmp / f"{index}-stain.jpg", seed=index)
            made.append(("painted stain", p, [box]))
            p, box = edits.inpaint_region(photo, tmp / f"{index}-inpaint.jpg", seed=index)
            made.append(("inpainted area", p, [box]))
            if donor is not None:
                p, box = edits.splice_patch(photo, donor, tmp / f"{index}-splice.jpg", seed=index)
                made.append(("spliced patch", p, [box]))
            p, src, dst = edits.clone_patch(photo, tmp / f"{index}-clone.jpg", seed=index)
            made.append(("cloned patch", p, [src, dst]))
            p, box = edits.paint_stain(photo, tmp / f"{index}-stain95.jpg", seed=index, quality=95)
            made.append(("painted stain, saved q95", p, [box]))
            p, box = edits.inpaint_region(photo, tmp / f"{index}-inpaint95.jpg", seed=index, quality=95)
            made.append(("inpainted area, saved q95", p, [box]))
            # A listing saved at q70, cropped by 3 and 5 px (the 8x8 grid moves), painted, saved at q95.
            listing = tmp / f"{index}-listing70.jpg"
            photo.save(listing, "JPEG", quality=70)
            with Image.open(listing) as saved:
                cropped = saved.convert("RGB").crop((3, 5, saved.width, saved.height))
            p, box = edits.paint_stain(cropped, tmp / f"{index}-cropstain.jpg", seed=index, quality=95)
            made.append(("q70 listing cropped, stain, q95", p, [box]))
            donor = photo
            # The same edits after a chat app re-compressed them at q75 (the usual way they arrive).
            for kind, edited, truths in list(made):
                if kind in ("painted stain", "inpainted area", "cloned patch"):
                    chat = tmp / f"{index}-{len(made)}-chat.jpg"
                    Image.open(edited).save(chat, "JPEG", quality=75)
                    made.append((f"{kind}, then q75", chat, truths))
            for kind, edited, truths in made:
                found_by: set[str] = set()
                for check_id, (findings, _) in run(edited, tmp / "ev").items():
                    located = [
                        f
                        for f in flagged(findings)
                        if any(edits.overlaps(tuple(r), t) for r in f.regions for t in truths)
                    ]  # type: ignore[arg-type]
                    hits[(kind, check_id)].append(int(bool(located)))
                    moderate[(kind, check_id)].append(
                        int(any(f.strength.rank >= Strength.MODERATE.rank for f in located))
                    )
                    if located:
                        found_by.add(check_id)
                    if check_id == NEW:  # could the ghost check judge at all (an earlier save found)?
                        judged = any(f.title_key.startswith(JUDGED) for f in findings)
                        ghost_judged[kind].append(int(judged))
                        if judged:
                            ghost_found_when_judged[kind].append(int(bool(located)))
                hits[(kind, ANY_BEFORE)].append(int(bool(found_by - {NEW})))
                hits[(kind, ANY_AFTER)].append(int(bool(found_by)))
    ids = [c.id for c in CHECKS]
    columns = [*ids, ANY_BEFORE, ANY_AFTER]
    print(f"\n{len(photos)} files; edits on photos with short side >= 300 px; JPEG q90 edits\n")
    print("| set | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for kind in KINDS:
        cells = [_rate(hits[(kind, c)]) for c in columns]
        print(f"| detected: {kind} | " + " | ".join(cells) + " |")
    for kind in KINDS:
        cells = [_rate(moderate[(kind, c)]) for c in ids] + ["", ""]
        print(f"| of which moderate: {kind} | " + " | ".join(cells) + " |")
    for kind in FP_SETS:
        cells = [_rate(fp[(kind, c)]) for c in columns]
        print(f"| false positive (>= weak): {kind} | " + " | ".join(cells) + " |")
    for kind in FP_SETS:
        cells = [_rate(fp_moderate[(kind, c)]) for c in ids] + ["", ""]
        print(f"| false positive (moderate): {kind} | " + " | ".join(cells) + " |")
    if ghost_judged:
        print(f"\n| edit | {NEW}: an earlier save found | detected, of those |\n|---|---|---|")
        for kind in KINDS:
            print(f"| {kind} | {_rate(ghost_judged[kind])} | {_rate(ghost_found_when_judged[kind])} |")
        print()
    top = [strongest.get(("untouched", c), "info") for c in ids]
    print("| strongest on untouched | " + " | ".join(top) + " | | |")
    print(
        "| ms per photo, median (max) | "
        + " | ".join(f"{statistics.median(times[c]):.0f} ({max(times[c]):.0f})" for c in ids)
        + " | | |"
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        time_12mp(photos, Path(tmp_name))


def time_12mp(photos: list[Path], tmp: Path, repeats: int = 5) -> None:
    """Per-check time on a 12 MP (4000×3000) JPEG with a JPEG ghost and a painted region: the largest
    test photo upscaled and saved at q75 (the "listing"), a stain painted, saved again at q95. Each
    run uses a fresh context, so every check pays for its own decodes (the runner shares them)."""
    largest = max(photos, key=lambda p: p.stat().st_size if p.suffix.lower() in (".jpg", ".jpeg") else 0)
    listing = tmp / "12mp-listing.jpg"
    decode(read_source(largest)).image.resize((4000, 3000), Image.Resampling.BICUBIC).save(listing, quality=75)
    edited, _ = edits.paint_stain(decode(read_source(listing)).image, tmp / "12mp-edited.jpg", seed=0, quality=95)
    timings: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        for check_id, (_, ms) in run(edited, tmp / "ev12").items():
            timings[check_id].append(ms)
    print(f"\n12 MP ({largest.name} upscaled, q75 then painted and saved at q95), median of {repeats} runs:\n")
    print("| check | ms, median (min-max) |\n|---|---|")
    for check_id, values in timings.items():
        print(f"| {check_id} | {statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f}) |")


def _resave_set(quality: int) -> str:
    if quality < 0:
        return "re-saved q70, cropped, then q95"
    return "re-saved q70 then q95" if quality == 70 else f"re-saved q{quality}"


def _moderate(findings: list[Finding]) -> bool:
    return any(f.strength.rank >= Strength.MODERATE.rank for f in findings)


def _rate(values: list[int]) -> str:
    return f"{100 * sum(values) / len(values):.0f}% ({sum(values)}/{len(values)})" if values else "-"


if __name__ == "__main__":
    main()
