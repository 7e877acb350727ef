"""Generator metadata: the shared ai-metadata set gives the right tool; negatives stay clean."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shopguard.checks.findings import Strength
from shopguard.checks.generator_metadata import GeneratorMetadataCheck
from tests.checks.metadata_support import PARAMETERS, hide, itxt, png_with_chunks, run_check, stealth_stream

# The manifest names the tool that made the picture; our finding names the format found in the file.
# The ComfyUI "SaveImageWithMetaData" node writes AUTOMATIC1111-format text, so that is what we report.
ALIASES = {
    "AUTOMATIC1111": "AUTOMATIC1111-style",
    "ComfyUI": ("ComfyUI", "AUTOMATIC1111-style"),
}


def _matches(expected: str, generator: str) -> bool:
    head = expected.split(" (")[0]
    alias = ALIASES.get(head, head)
    options = alias if isinstance(alias, tuple) else (alias,)
    return any(option in generator for option in options)


def test_every_labelled_file_names_its_generator(testdata: Path) -> None:
    folder = testdata / "ai-metadata"
    with (folder / "manifest.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    checked = 0
    for row in rows:
        findings = run_check(GeneratorMetadataCheck(), folder / row["file"])
        if row["expect_generator_metadata"] == "False":
            assert findings == [], row["file"]
            continue
        assert findings, row["file"]
        assert all(f.strength is Strength.STRONG for f in findings)
        assert any(_matches(row["expected_generator"], f.fields["generator"]) for f in findings), (
            row["file"],
            [f.fields["generator"] for f in findings],
        )
        assert findings[0].fields["field"] in findings[0].detail("en")
        checked += 1
    assert checked >= 21


def test_stealth_parameters_in_the_real_a1111_file(testdata: Path) -> None:
    [finding] = run_check(GeneratorMetadataCheck(), testdata / "ai-metadata" / "sd-parsers__automatic1111_stealth.png")
    assert finding.strength is Strength.STRONG
    assert "AUTOMATIC1111-style" in finding.fields["generator"]
    assert finding.evidence["field"] == 'png:alpha LSB (stealth_pngcomp) "parameters"'
    assert finding.evidence["hidden_in_pixels"] is True
    assert "alpha LSB" in finding.detail("en") and "Steps: 20" in finding.detail("en")
    assert "lowest bit" in (finding.limits("en") or "")


@pytest.mark.parametrize("compressed", [False, True])
def test_stealth_parameters_built_in_the_test(tmp_path: Path, compressed: bool) -> None:
    payload = gzip.compress(PARAMETERS.encode()) if compressed else PARAMETERS.encode()
    signature = "stealth_pngcomp" if compressed else "stealth_pnginfo"
    pixels = np.full((80, 96, 4), 200, dtype=np.uint8)
    pixels[:, :, 3] = 255
    path = tmp_path / "stealth.png"
    Image.fromarray(hide(pixels, stealth_stream(signature, payload), slice(3, 4)), "RGBA").save(path)
    [finding] = run_check(GeneratorMetadataCheck(), path)
    assert finding.strength is Strength.STRONG and finding.evidence["hidden_in_pixels"] is True
    assert finding.evidence["field"] == f'png:alpha LSB ({signature}) "parameters"'
    # The same picture with random alpha bits instead: nothing.
    pixels[:, :, 3] = np.random.default_rng(1).integers(0, 256, (80, 96), dtype=np.uint8)
    Image.fromarray(pixels, "RGBA").save(path)
    assert run_check(GeneratorMetadataCheck(), path) == []


def test_text_chunk_parameters_are_not_marked_as_hidden(testdata: Path) -> None:
    for name in ("sd-metadata__png__sd-webui.png", "sd-parsers__automatic1111_cropped.png"):
        for finding in run_check(GeneratorMetadataCheck(), testdata / "ai-metadata" / name):
            assert "hidden_in_pixels" not in finding.evidence, name
            assert finding.evidence["field"].startswith("png:"), finding.evidence


def test_a_caption_mentioning_ai_is_not_generator_metadata(tmp_path: Path) -> None:
    path = tmp_path / "caption.png"
    path.write_bytes(
        png_with_chunks(
            [
                itxt("Description", "AI generated? No! Real photo, Stable Diffusion fan"),
                itxt("parameters", "my camera parameters: ISO 100"),
                itxt("prompt", "not json"),
            ]
        )
    )
    assert run_check(GeneratorMetadataCheck(), path) == []


def test_samsung_galaxy_ai_trailer(tmp_path: Path) -> None:
    from tests.checks.metadata_support import jpeg_bytes, samsung_trailer

    utc = (0x0A01, "Image_UTC_Data", b"1700000000000")
    peg = (0x0D91, "PEg_Info", b'{"genImageVersion":"1.0","connectorType":"0"}')
    plain = tmp_path / "galaxy.jpg"
    plain.write_bytes(jpeg_bytes() + samsung_trailer([utc]))
    assert run_check(GeneratorMetadataCheck(), plain) == []
    edited = tmp_path / "galaxy_ai.jpg"
    edited.write_bytes(jpeg_bytes() + samsung_trailer([utc, peg]))
    [finding] = run_check(GeneratorMetadataCheck(), edited)
    assert finding.strength is Strength.MODERATE and "PEg_Info" in finding.detail("en")
    assert "Samsung does not document" in (finding.limits("en") or "")
    re_edit = (0x0BA1, "PhotoEditor_Re_Edit_Data", b'{"genAIType":0,"rotation":1}')
    edited.write_bytes(jpeg_bytes() + samsung_trailer([re_edit]))
    assert run_check(GeneratorMetadataCheck(), edited) == []
    re_edit = (0x0BA1, "PhotoEditor_Re_Edit_Data", b'{"genAIType":3,"rotation":1}')
    edited.write_bytes(jpeg_bytes() + samsung_trailer([re_edit]))
    assert [f.strength for f in run_check(GeneratorMetadataCheck(), edited)] == [Strength.MODERATE]


def test_broken_samsung_trailer_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    from shopguard.imaging.containers import read_container
    from tests.checks.metadata_support import jpeg_bytes

    data = jpeg_bytes() + b"junk" + (4000).to_bytes(4, "little") + b"SEFT"
    assert read_container(data).problems


def test_hidden_text_without_generator_structure_is_not_reported(tmp_path: Path) -> None:
    """The stealth layout alone proves nothing: the hidden text must pass the same rules."""
    pixels = np.full((80, 96, 4), 200, dtype=np.uint8)
    path = tmp_path / "hidden-note.png"
    stream = stealth_stream("stealth_pnginfo", b"my holiday photo, Steps to the beach")
    Image.fromarray(hide(pixels, stream, slice(3, 4)), "RGBA").save(path)
    assert run_check(GeneratorMetadataCheck(), path) == []
