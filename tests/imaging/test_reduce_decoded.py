"""A photo's reduced decodes made from its full-size decode are the pixels ``decode`` gives (checks share them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from shopguard.checks.context import CheckContext
from shopguard.errors import ImageReadError
from shopguard.imaging import decode, probe, read_source
from shopguard.imaging.decode import decodes_in_full, reduce_decoded

# the sizes the checks ask for (library match 1600, copy-move 1024, error level 4096, the case's 2048, ...)
SIDES = (None, 256, 512, 800, 1024, 1600, 2048, 4096)
FOLDERS = ("product-photos", "exif-camera", "heic-avif", "ai-metadata", "c2pa", "bad-inputs")


def _photos(testdata: Path) -> list[Path]:
    """A few of every kind: JPEGs from cameras (EXIF orientation, 4:2:2, CMYK), PNG/WebP/HEIC/AVIF, odd files."""
    picked: list[Path] = []
    for folder in FOLDERS:
        files = sorted(p for p in (testdata / folder).iterdir() if p.suffix.lower() not in (".csv", ".md"))
        picked += files[:: max(1, len(files) // 8)]
    return picked


def _same(a: object, b: object) -> bool:
    from shopguard.imaging import DecodedImage

    assert isinstance(a, DecodedImage) and isinstance(b, DecodedImage)
    return (
        a.image.size == b.image.size
        and a.image.mode == b.image.mode
        and a.scale == b.scale
        and a.facts == b.facts
        and np.array_equal(np.asarray(a.image), np.asarray(b.image))
    )


def test_reductions_of_the_full_decode_equal_decoding_at_that_size(testdata: Path) -> None:
    compared = derived = 0
    for path in _photos(testdata):
        try:
            source = read_source(path)
            full = decode(source)
        except ImageReadError:
            continue
        for side in SIDES:
            if not decodes_in_full(full.facts, side):
                continue
            reduced = reduce_decoded(full, side)
            assert _same(reduced, decode(source, max_side=side)), (path.name, side)
            compared += 1
            derived += reduced is not full
    assert compared > 150 and derived > 30


def test_the_context_gives_every_size_as_decode_does_and_decodes_each_once(testdata: Path) -> None:
    checked = 0
    for path in _photos(testdata)[::5]:
        try:
            source = read_source(path)
            ctx = CheckContext(source=source, facts=probe(source))
            wanted = {side: decode(source, max_side=side) for side in SIDES}
        except ImageReadError:
            continue
        for side in (1600, None, 512, 2048, 4096, 1024, 800, 256):
            assert _same(ctx.pixels(side), wanted[side]), (path.name, side)
            assert ctx.pixels(side) is ctx.pixels(side)  # cached
        checked += 1
    assert checked > 10


def test_a_2mp_photo_is_decoded_once_for_every_size_above_half_its_side(testdata: Path, tmp_path: Path) -> None:
    """A 2 MP complaint (as benchmarks/cold_check.py makes it): 2048 and 4096 are its full decode; 1600 and 1024
    are made from that (libjpeg would decode it whole for them too); 512 is a draft decode of its own."""
    im = Image.open(testdata / "product-photos" / "abo__B0799CK52K__528c608a.jpg").convert("RGB")
    im.resize((1633, 1225), Image.Resampling.BICUBIC).save(tmp_path / "complaint.jpg", quality=85)
    source = read_source(tmp_path / "complaint.jpg")
    ctx = CheckContext(source=source, facts=probe(source))
    full = ctx.pixels(2048)
    assert ctx.pixels(None) is full and ctx.pixels(4096) is full
    assert decodes_in_full(ctx.facts, 1600) and decodes_in_full(ctx.facts, 613)
    assert not decodes_in_full(ctx.facts, 612) and not decodes_in_full(ctx.facts, 512)
    assert _same(ctx.pixels(1024), decode(source, max_side=1024))
    assert _same(ctx.pixels(512), decode(source, max_side=512))
