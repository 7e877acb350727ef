"""Stealth pnginfo: parameters hidden in pixel LSBs are read back; random or junk bits never are."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shopguard.imaging import read_source
from shopguard.imaging.stealth_text import MAX_PAYLOAD_BYTES, stealth_text
from tests.checks.metadata_support import PARAMETERS, hide, source_from_bytes, stealth_stream


def _picture(mode: str, size: tuple[int, int] = (96, 80), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (size[1], size[0], len(mode)), dtype=np.uint8)
    if "A" in mode:
        pixels[:, :, 3] = 255  # the writer first makes the picture opaque
    return pixels


def _encode(pixels: np.ndarray, mode: str, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels, mode).save(buf, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    return buf.getvalue()


@pytest.mark.parametrize("compressed", [False, True])
def test_alpha_stealth_parameters_are_read(compressed: bool) -> None:
    payload = gzip.compress(PARAMETERS.encode()) if compressed else PARAMETERS.encode()
    signature = "stealth_pngcomp" if compressed else "stealth_pnginfo"
    pixels = hide(_picture("RGBA"), stealth_stream(signature, payload), slice(3, 4))
    [entry] = stealth_text(source_from_bytes(_encode(pixels, "RGBA"), "gen.png"))
    assert entry.key == "parameters" and entry.value == PARAMETERS
    assert entry.where == f"png:alpha LSB ({signature})"


@pytest.mark.parametrize("compressed", [False, True])
def test_rgb_stealth_parameters_are_read(compressed: bool) -> None:
    payload = gzip.compress(PARAMETERS.encode()) if compressed else PARAMETERS.encode()
    signature = "stealth_rgbcomp" if compressed else "stealth_rgbinfo"
    pixels = hide(_picture("RGB"), stealth_stream(signature, payload), slice(0, 3))
    [entry] = stealth_text(source_from_bytes(_encode(pixels, "RGB"), "gen.png"))
    assert entry.value == PARAMETERS and entry.where == f"png:rgb LSB ({signature})"


def test_lossless_webp_carrier_is_read() -> None:
    pixels = hide(_picture("RGBA"), stealth_stream("stealth_pnginfo", PARAMETERS.encode()), slice(3, 4))
    [entry] = stealth_text(source_from_bytes(_encode(pixels, "RGBA", "WEBP"), "gen.webp"))
    assert entry.value == PARAMETERS and entry.where.startswith("webp:alpha LSB")


def test_random_alpha_and_plain_pictures_hide_nothing() -> None:
    rng = np.random.default_rng(7)
    for seed in range(20):
        pixels = _picture("RGBA", seed=seed)
        pixels[:, :, 3] = rng.integers(0, 256, pixels.shape[:2], dtype=np.uint8)
        assert stealth_text(source_from_bytes(_encode(pixels, "RGBA"), "noise.png")) == []
    assert stealth_text(source_from_bytes(_encode(_picture("RGB"), "RGB"), "plain.png")) == []


def test_junk_after_a_valid_signature_is_ignored() -> None:
    def read(stream: np.ndarray, size: tuple[int, int] = (96, 80)) -> list[object]:
        pixels = hide(_picture("RGBA", size), stream, slice(3, 4))
        return list(stealth_text(source_from_bytes(_encode(pixels, "RGBA"), "junk.png")))

    assert read(stealth_stream("stealth_pnginfo", b"", length_bits=0)) == []
    assert read(stealth_stream("stealth_pnginfo", b"abc", length_bits=2**32 - 1)) == []  # beyond the picture
    assert read(stealth_stream("stealth_pnginfo", b"abc", length_bits=8 * MAX_PAYLOAD_BYTES + 8), (2000, 600)) == []
    assert read(stealth_stream("stealth_pnginfo", b"abc", length_bits=13)) == []  # not whole bytes
    assert read(stealth_stream("stealth_pngcomp", b"not gzip at all")) == []
    # A signature of the RGB writer in the alpha plane is not that writer's layout.
    assert read(stealth_stream("stealth_rgbinfo", PARAMETERS.encode())) == []


def test_novelai_json_payload_becomes_its_text_items(testdata: Path) -> None:
    entries = stealth_text(read_source(testdata / "ai-metadata" / "sd-metadata__png__novelai-full.png"))
    by_key = {e.key: e for e in entries}
    assert by_key["Software"].value == "NovelAI"
    assert by_key["Software"].where == "png:alpha LSB (stealth_pngcomp)"


def test_files_that_cannot_carry_it_are_skipped(testdata: Path) -> None:
    assert stealth_text(read_source(testdata / "exif-camera" / "Canon_40D.jpg")) == []
    truncated = sorted((testdata / "bad-inputs").glob("*truncated*.png"))
    assert truncated
    for path in truncated:
        assert stealth_text(read_source(path)) == []
