"""Decoding real files: orientation, formats, reduced decodes and every kind of bad input."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shopguard.errors import ImageReadError
from shopguard.imaging import decode, probe, read_source


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_all_eight_exif_orientations_give_the_same_upright_picture(testdata: Path) -> None:
    folder = testdata / "exif-camera"

    def small(im: Image.Image) -> np.ndarray:
        return np.asarray(im.convert("L").resize((48, 36), Image.Resampling.BOX), dtype=np.float32)

    first = decode(read_source(folder / "orientation__landscape_1.jpg")).image
    upright, mirrored = small(first), small(first.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    for n in range(2, 9):
        decoded = decode(read_source(folder / f"orientation__landscape_{n}.jpg"))
        assert decoded.facts.orientation == n
        assert decoded.image.size == first.size
        diff = np.abs(small(decoded.image) - upright).mean()
        wrong = np.abs(small(decoded.image) - mirrored).mean()
        assert diff < wrong / 2, f"orientation {n}: difference {diff:.1f} (mirror {wrong:.1f})"


def test_reduced_decode_uses_draft_and_reports_full_size(testdata: Path) -> None:
    path = testdata / "product-photos-more" / "jskapc__crayola_64_ct__1.jpg"
    decoded = decode(read_source(path), max_side=512)
    assert max(decoded.image.size) <= 512
    assert max(decoded.width, decoded.height) == 3264
    assert decoded.scale == pytest.approx(decoded.image.width / decoded.width)


@pytest.mark.parametrize(
    "name",
    [
        "exif-camera/heic__IMG_5195.HEIC",
        "heic-avif/pillow-heif__heif_special__xiaomi.heic",
        "bad-inputs/pillow__avif__hopper.avif",
        "bad-inputs/pillow__hopper.webp",
        "bad-inputs/pillow__tiff_16bit_RGB.tiff",
        "bad-inputs/pillow__pil_sample_cmyk.jpg",
        "bad-inputs/pillow__iss634.gif",
        "bad-inputs/pillow-heif__non_heif__L_16__29x100.png",
        "bad-inputs/pillow__transparent.png",
    ],
)
def test_supported_formats_decode_to_rgb(testdata: Path, name: str) -> None:
    decoded = decode(read_source(testdata / name), max_side=256)
    assert decoded.image.mode == "RGB"
    assert decoded.image.width > 0 and decoded.image.height > 0
    assert np.asarray(decoded.image).std() > 0  # real content, not a blank frame


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("bad-inputs/sd-parsers__empty_file.png", "error.image.empty"),
        ("bad-inputs/pillow__truncated_jpeg.jpg", "error.image.truncated"),
        ("bad-inputs/pillow__decompression_bomb.gif", "error.image.bomb"),
        ("bad-inputs/pillow__broken.png", "error.image.not_image"),
        ("bad-inputs/pillow-heif__heif_corrupted__corrupted.heic", "error.image.not_image"),
        ("product-photos/ukbench__ukbench09268_corrupt.jpg", "error.image.not_image"),
    ],
)
def test_bad_inputs_raise_a_clear_error(testdata: Path, name: str, key: str) -> None:
    path = testdata / name
    before = _digest(path)
    with pytest.raises(ImageReadError) as info:
        decode(read_source(path))
    assert info.value.message_key == key
    assert str(path) in info.value.message("en")
    assert _digest(path) == before


def test_missing_file_folder_and_text_file(tmp_path: Path) -> None:
    with pytest.raises(ImageReadError) as info:
        read_source(tmp_path / "nope.jpg")
    assert info.value.message_key == "error.image.not_found"
    with pytest.raises(ImageReadError) as info:
        read_source(tmp_path)
    assert info.value.message_key == "error.image.is_folder"
    fake = tmp_path / "photo.jpg"
    fake.write_text("this is not a photo", encoding="utf-8")
    with pytest.raises(ImageReadError) as info:
        probe(read_source(fake))
    assert info.value.message_key == "error.image.not_image"


def test_absurd_declared_size_is_refused_before_decoding(tmp_path: Path) -> None:
    # A valid PNG header claiming 60000 x 60000 pixels (3.6 GP), with almost no data.
    im = Image.new("1", (60000, 60000))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    path = tmp_path / "bomb.png"
    path.write_bytes(buf.getvalue())
    with pytest.raises(ImageReadError) as info:
        decode(read_source(path))
    assert info.value.message_key == "error.image.bomb"


def test_reading_never_changes_the_original(testdata: Path) -> None:
    path = testdata / "exif-camera" / "Canon_40D.jpg"
    before, mtime = _digest(path), path.stat().st_mtime
    source = read_source(path)
    decode(source)
    decode(source, max_side=128)
    assert source.sha256 == before == _digest(path)
    assert path.stat().st_mtime == mtime
