"""Honesty of the pixel checks: on real, untouched photos none of them goes above ``weak``.

One pass over every untouched photo runs all four checks on one shared context, so each photo is
decoded once (the checks share ``CheckContext.pixels`` decodes).
"""

from __future__ import annotations

from pathlib import Path

from shopguard.checks.context import CheckContext
from shopguard.checks.copy_move import CopyMoveCheck
from shopguard.checks.error_level import ErrorLevelCheck
from shopguard.checks.findings import Category, Strength
from shopguard.checks.jpeg_ghost import JpegGhostCheck
from shopguard.checks.noise_consistency import NoiseConsistencyCheck
from shopguard.errors import ImageReadError
from shopguard.imaging import probe, read_source
from tests.checks.forensic_support import untouched_photos

CHECKS = (
    (ErrorLevelCheck(), Category.COMPRESSION),
    (JpegGhostCheck(), Category.COMPRESSION),
    (NoiseConsistencyCheck(), Category.NOISE),
    (CopyMoveCheck(), Category.COPY_MOVE),
)
# A weak hint on an honest photo is allowed but must stay rare (benchmarks/forensics_accuracy.py:
# error-level 1, jpeg-ghost 0, noise-consistency 7, copy-move 2 of 240 untouched photos).
MAX_WEAK = {"error-level": 10, "jpeg-ghost": 5, "noise-consistency": 8, "copy-move": 10}


def test_untouched_photos_are_never_above_weak(testdata: Path) -> None:
    weak: dict[str, list[str]] = {check.id: [] for check, _ in CHECKS}
    photos = untouched_photos(testdata)
    assert len(photos) > 200
    for path in photos:
        source = read_source(path)
        ctx = CheckContext(source=source, facts=probe(source))
        for check, category in CHECKS:
            try:
                findings = check.run(ctx)
            except ImageReadError:
                break  # unreadable pixels are the decoder's business, reported as an input finding
            # jpeg-ghost says nothing when it cannot judge (no earlier JPEG save, or not a JPEG).
            assert findings or check.id == "jpeg-ghost", (check.id, path.name)
            assert all(f.category is category for f in findings), (check.id, path.name)
            assert all(f.strength.rank <= Strength.WEAK.rank for f in findings), (check.id, path.name)
            weak[check.id] += [path.name for f in findings if f.strength is Strength.WEAK]
    for check_id, names in weak.items():
        assert len(names) <= MAX_WEAK[check_id], (check_id, names)
