"""Helpers shared by the pixel-forensics tests: run one check on a file, list untouched photos."""

from __future__ import annotations

from pathlib import Path

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Finding
from shopguard.checks.registry import Check
from shopguard.imaging import decode, probe, read_source

UNTOUCHED_SETS = ("exif-camera", "product-photos", "product-photos-more", "heic-avif")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp"}
# Files in those sets that are broken on purpose (the decoder test covers them).
BROKEN = {"ukbench__ukbench09268_corrupt.jpg"}


def run_check(check: Check, path: Path, evidence_dir: Path | None) -> list[Finding]:
    """Run ``check`` on the file at ``path`` the way the runner does."""
    source = read_source(path)
    ctx = CheckContext(source=source, facts=probe(source), artifact_dir=evidence_dir)
    return check.run(ctx)


def untouched_photos(testdata: Path) -> list[Path]:
    """Every real, unedited photo in the shared test data that decodes."""
    found = []
    for name in UNTOUCHED_SETS:
        for path in sorted((testdata / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES and path.name not in BROKEN:
                found.append(path)
    return found


def load_photo(path: Path):  # type: ignore[no-untyped-def]  # test helper returning a PIL image
    """Oriented RGB pixels of a real photo (what an editor would open)."""
    return decode(read_source(path)).image
