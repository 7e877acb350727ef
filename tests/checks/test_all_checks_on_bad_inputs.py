"""Every registered check on every awkward file that decodes: no check may crash (strict mode re-raises)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Strength
from shopguard.checks.runner import run_checks
from shopguard.errors import ImageReadError
from shopguard.imaging import decode, probe, read_source


def test_no_check_crashes_on_awkward_files(testdata: Path) -> None:
    checked = 0
    for path in sorted((testdata / "bad-inputs").iterdir()):
        try:
            source = read_source(path)
            decode(source, max_side=256)
        except ImageReadError:
            continue  # the decoder refuses it; the CLI tests cover that path
        result = run_checks(CheckContext(source=source, facts=probe(source)))  # SHOPGUARD_STRICT: crashes raise
        assert result.findings, path.name
        checked += 1
    assert checked > 40


@pytest.mark.parametrize("name", ["pillow__app13.jpg", "pillow__tRNS_null_1x1.png", "sd-parsers__empty_image.jpg"])
def test_tiny_photos_get_an_honest_too_small_note(testdata: Path, name: str) -> None:
    source = read_source(testdata / "bad-inputs" / name)
    findings = run_checks(CheckContext(source=source, facts=probe(source))).findings
    pixel_checks = {"error-level", "jpeg-ghost", "noise-consistency", "copy-move"}
    pixel = [f for f in findings if f.check in pixel_checks]
    assert {f.check for f in pixel} == pixel_checks
    assert all(f.title_key == "forensic.too_small.title" and f.strength is Strength.INFO for f in pixel)
