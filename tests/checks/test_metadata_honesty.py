"""Honesty across all metadata checks: camera photos stay at most weak; broken files never crash."""

from __future__ import annotations

from pathlib import Path

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Strength
from shopguard.checks.registry import builtin_checks
from shopguard.checks.runner import run_checks
from shopguard.errors import ImageReadError
from shopguard.i18n import has_key
from shopguard.imaging import probe, read_source

METADATA_CHECKS = {
    "camera-metadata",
    "aigc-label",
    "content-credentials",
    "iptc-source-type",
    "generator-metadata",
    "editing-software",
    "capture-time",
    "exif-thumbnail",
    "jpeg-compression",
}


def _checks() -> list:  # type: ignore[type-arg]
    checks = [c for c in builtin_checks() if c.id in METADATA_CHECKS]
    assert {c.id for c in checks} == METADATA_CHECKS
    return checks


def test_untouched_camera_photos_are_never_above_weak(testdata: Path) -> None:
    checks = _checks()
    for path in sorted((testdata / "exif-camera").iterdir()):
        if path.suffix == ".csv":
            continue
        source = read_source(path)
        result = run_checks(CheckContext(source=source, facts=probe(source)), checks)
        for finding in result.findings:
            assert finding.strength.rank <= Strength.WEAK.rank, (path.name, finding.title("en"))
            for key in (finding.title_key, finding.detail_key, finding.limits_key):
                assert key is None or has_key(key), key


def test_bad_inputs_never_raise(testdata: Path) -> None:
    checks = _checks()
    for path in sorted((testdata / "bad-inputs").iterdir()):
        if path.suffix == ".csv":
            continue
        try:
            source = read_source(path)
            facts = probe(source)
        except ImageReadError:
            continue  # the app reports these before any check runs
        run_checks(CheckContext(source=source, facts=facts), checks)  # strict mode: a crash fails the test


def test_negatives_have_no_ai_label(testdata: Path) -> None:
    checks = _checks()
    for name in ("sd-metadata__jpg__empty.jpg", "sd-metadata__jpg__gimp.jpg"):
        source = read_source(testdata / "ai-metadata" / name)
        findings = run_checks(CheckContext(source=source, facts=probe(source)), checks).findings
        assert not [f for f in findings if f.category.value == "ai-label"], name
