"""Container parsing: every metadata carrier is found, and malformed files never raise."""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

import pytest

from shopguard.imaging import read_source
from shopguard.imaging.containers import read_container
from shopguard.imaging.photo_metadata import read_metadata
from shopguard.imaging.xmp import XmpError, parse_xmp
from tests.checks.metadata_support import (
    insert_jpeg_segment,
    itxt,
    jpeg_bytes,
    png_chunk,
    png_with_chunks,
    source_from_bytes,
    xmp_packet,
)

DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'


def test_jpeg_segments_are_all_collected() -> None:
    data = jpeg_bytes(quality=75)
    data = insert_jpeg_segment(data, 0xFE, b"hello comment")
    data = insert_jpeg_segment(data, 0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x00")
    data = insert_jpeg_segment(data, 0xEB, b"JP" + b"\x00" * 30)
    meta = read_container(data)
    assert meta.format == "jpeg"
    assert [t.value for t in meta.texts] == ["hello comment"]
    assert len(meta.irb) == 1 and meta.jumbf_bytes == 32
    assert set(meta.quant_tables) == {0, 1}
    assert meta.frame_size == (64, 48)
    assert not meta.problems


def test_extended_xmp_is_reassembled_in_offset_order() -> None:
    packet = xmp_packet('<rdf:Description rdf:about="" dc:format="image/jpeg"/>', DC).encode()
    guid = b"0123456789ABCDEF0123456789ABCDEF"
    half = len(packet) // 2
    data = jpeg_bytes()
    for offset, chunk in ((half, packet[half:]), (0, packet[:half])):  # out of order on purpose
        body = b"http://ns.adobe.com/xmp/extension/\x00" + guid + struct.pack(">II", len(packet), offset) + chunk
        data = insert_jpeg_segment(data, 0xE1, body)
    meta = read_container(data)
    assert meta.xmp == [packet.decode()]
    assert parse_xmp(meta.xmp[0])[0].value == "image/jpeg"


def test_png_text_after_idat_and_compressed_text(tmp_path: Path) -> None:
    ztxt = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"compressed words"))
    data = png_with_chunks([itxt("parameters", "Steps: 20, Sampler: Euler")], after_idat=True)
    data = data[:33] + ztxt + data[33:]
    meta = read_container(data)
    values = {t.key: t.value for t in meta.texts}
    assert values == {"parameters": "Steps: 20, Sampler: Euler", "Comment": "compressed words"}


def test_ztxt_bomb_is_capped() -> None:
    bomb = zlib.compress(b"A" * (64 * 1024 * 1024))
    meta = read_container(png_with_chunks([(b"zTXt", b"Comment\x00\x00" + bomb)]))
    assert not meta.texts
    assert any("cap" in p for p in meta.problems)


def test_real_text_after_idat_file(testdata: Path) -> None:
    meta = read_container((testdata / "bad-inputs" / "sd-parsers__text_after_idat.png").read_bytes())
    assert meta.texts, "text chunk placed after IDAT must be read"


def test_webp_exif_and_heic_exif(testdata: Path) -> None:
    webp = read_metadata(read_source(testdata / "ai-metadata" / "sd-metadata__webp__novelai-curated.webp"))
    assert webp.container.format == "webp"
    assert webp.exif.text["Software"].startswith("NovelAI")
    heic = read_metadata(read_source(testdata / "exif-camera" / "heic__IMG_5195.HEIC"))
    assert heic.container.format == "heif"
    assert heic.exif.text["Make"] == "Apple" and heic.exif.gps is not None
    assert heic.xmp, "the HEIC's XMP item must be found"


@pytest.mark.parametrize(
    "packet",
    [
        '<!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&a;</x:xmpmeta>',
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><unclosed></x:xmpmeta>",
    ],
)
def test_unsafe_or_broken_xmp_is_refused(packet: str) -> None:
    with pytest.raises(XmpError):
        parse_xmp(packet)


def test_refused_xmp_becomes_a_problem_not_an_exception() -> None:
    data = insert_jpeg_segment(jpeg_bytes(), 0xE1, b"http://ns.adobe.com/xap/1.0/\x00<!DOCTYPE lol [<!ENTITY a 'x'>]>")
    source = source_from_bytes(data)
    assert any("DOCTYPE" in p for p in read_metadata(source).problems)


def test_truncated_segment_is_reported() -> None:
    data = jpeg_bytes()[:2] + b"\xff\xe1\xff\xf0Exif\x00\x00"
    meta = read_container(data)
    assert meta.problems and not meta.exif


def test_every_test_file_parses_without_exception(testdata: Path) -> None:
    for path in sorted(testdata.glob("*/*")):
        if path.suffix in (".csv", ".txt", ".md") or path.stat().st_size == 0:
            continue
        read_metadata(read_source(path))  # must not raise


def test_mutated_files_never_raise(testdata: Path) -> None:
    """Flip, cut and splice bytes of real files carrying metadata: parsing must only record problems."""
    rng = random.Random(45438)
    samples = [
        testdata / "exif-camera" / "gps__DSCN0010.jpg",
        testdata / "exif-camera" / "heic__IMG_5195.HEIC",
        testdata / "ai-metadata" / "sd-parsers__invokeai_sdmeta1.png",
        testdata / "ai-metadata" / "sd-metadata__webp__sd-webui.webp",
        testdata / "c2pa" / "adobe-20220124-CA.jpg",
    ]
    for path in samples:
        original = path.read_bytes()
        head = original[: min(len(original), 200_000)]
        for _ in range(60):
            data = bytearray(head)
            for _ in range(rng.randint(1, 8)):
                # half the hits land in the first 4 KB, where the metadata structures are
                pos = rng.randrange(min(4096, len(data)) if rng.random() < 0.5 else len(data))
                data[pos] = rng.randrange(256)
            if rng.random() < 0.3:
                data = data[: rng.randrange(8, len(data))]
            read_metadata(source_from_bytes(bytes(data), path.name))
