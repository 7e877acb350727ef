"""Accuracy and speed of the pixel-forensics checks: one command, one table.

    /work/venv/bin/python benchmarks/forensics_accuracy.py [--limit N] [--testdata DIR]

For every real photo in the untouched sets (exif-camera, product-photos, product-photos-more,
heic-avif) it runs error-level, noise-consistency and copy-move and counts a false positive when
a check says ``weak`` or more. For the photos with a short side ≥ 300 px it also makes edited
copies (painted stain, inpainted area, spliced patch from another photo, cloned patch; see
tests/checks/forensic_edits.py), saved as JPEG q90, plus the stain, inpaint and clone copies
re-compressed at q75 as a chat app would, and counts a detection when the check says ``weak`` or
more *and* its region overlaps the edited box. It also re-saves each untouched photo at q80 (what
a chat app does to an honest buyer's photo) as a second false-positive set.
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
    "painted stain, then q75",
    "inpainted area, then q75",
    "cloned patch, then q75",
)
CHECKS = (ErrorLevelCheck(), NoiseConsistencyCheck(), CopyMoveCheck())


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
    args = parser.parse_args()
    photos = sorted(p for s in SETS for p in (args.testdata / s).glob("*") if p.suffix.lower() in SUFFIXES)
    if args.limit:
        photos = photos[: args.limit]
    fp: dict[tuple[str, str], list[int]] = defaultdict(list)  # (set, check) -> 0/1 per photo
    strongest: dict[tuple[str, str], str] = {}
    hits: dict[tuple[str, str], list[int]] = defaultdict(list)  # (edit, check) -> 0/1
    moderate: dict[tuple[str, str], list[int]] = defaultdict(list)  # (edit, check) -> 0/1
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
            for check_id, (findings, ms) in results.items():
                times[check_id].append(ms)
                bad = flagged(findings)
                fp[("untouched", check_id)].append(int(bool(bad)))
                if bad and args.verbose:
                    print(f"FP {check_id} {bad[0].strength} {path.name}: {bad[0].detail()}")
                top = max((f.strength for f in findings), key=lambda s: s.rank, default=Strength.INFO)
                if top.rank > Strength(strongest.get(("untouched", check_id), "info")).rank:
                    strongest[("untouched", check_id)] = top.value
            resaved = tmp / f"{index}-resave.jpg"
            photo.save(resaved, "JPEG", quality=80)
            for check_id, (findings, _) in run(resaved, tmp / "ev").items():
                fp[("re-saved q80", check_id)].append(int(bool(flagged(findings))))
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
            donor = photo
            # The same edits after a chat app re-compressed them at q75 (the usual way they arrive).
            for kind, edited, truths in list(made):
                if kind in ("painted stain", "inpainted area", "cloned patch"):
                    chat = tmp / f"{index}-{len(made)}-chat.jpg"
                    Image.open(edited).save(chat, "JPEG", quality=75)
                    made.append((f"{kind}, then q75", chat, truths))
            for kind, edited, truths in made:
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
    ids = [c.id for c in CHECKS]
    print(f"\n{len(photos)} files; edits on photos with short side >= 300 px; JPEG q90 edits\n")
    print("| set | " + " | ".join(ids) + " |")
    print("|---|" + "---|" * len(ids))
    for kind in KINDS:
        cells = [_rate(hits[(kind, c)]) for c in ids]
        print(f"| detected: {kind} | " + " | ".join(cells) + " |")
    for kind in KINDS:
        cells = [_rate(moderate[(kind, c)]) for c in ids]
        print(f"| of which moderate: {kind} | " + " | ".join(cells) + " |")
    for kind in ("untouched", "re-saved q80"):
        cells = [_rate(fp[(kind, c)]) for c in ids]
        print(f"| false positive (>= weak): {kind} | " + " | ".join(cells) + " |")
    top = [strongest.get(("untouched", c), "info") for c in ids]
    print("| strongest on untouched | " + " | ".join(top) + " |")
    print(
        "| ms per photo, median (max) | "
        + " | ".join(f"{statistics.median(times[c]):.0f} ({max(times[c]):.0f})" for c in ids)
        + " |"
    )


def _rate(values: list[int]) -> str:
    return f"{100 * sum(values) / len(values):.0f}% ({sum(values)}/{len(values)})" if values else "-"


if __name__ == "__main__":
    main()
