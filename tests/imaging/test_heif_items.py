"""HEIF metadata items: Exif and XMP stored in the meta box's idat (iloc construction_method 1) or at
file offsets (method 0) are both read; extents outside their data are dropped without raising."""

from __future__ import annotations

import struct
from pathlib import Path

import piexif

from shopguard.imaging import read_source
from shopguard.imaging.containers import read_container
from shopguard.imaging.photo_metadata import read_metadata
from tests.checks.metadata_support import source_from_bytes, xmp_packet

DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'
XMP = xmp_packet('<rdf:Description rdf:about="" dc:format="image/heic"/>', DC).encode()


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full_box(kind: bytes, version: int, body: bytes) -> bytes:
    return _box(kind, bytes([version, 0, 0, 0]) + body)


def _infe(item_id: int, item_type: bytes, content_type: str = "") -> bytes:
    body = struct.pack(">HH", item_id, 0) + item_type + b"\x00"
    if content_type:
        body += content_type.encode() + b"\x00"
    return _full_box(b"infe", 2, body)


def _exif_item() -> bytes:
    tiff = piexif.dump({"0th": {piexif.ImageIFD.Make: b"IdatCam", piexif.ImageIFD.Model: b"HEIF-1"}})
    # ISO/IEC 23008-12 A.2.1: a 4-byte offset to the TIFF header, here past Apple's "Exif\0\0".
    return struct.pack(">I", 6) + tiff


def heif_file(methods: dict[str, int], xmp_length: int | None = None) -> bytes:
    """ftyp + meta(hdlr, iinf, iloc v1, idat) + mdat; ``methods`` picks each item's construction
    method: 1 puts it in idat, 0 in mdat at a file offset."""
    payloads = {"exif": _exif_item(), "xmp": XMP}
    ids = {"exif": 1, "xmp": 2}
    idat_body, mdat_body = b"", b""
    placed: dict[str, tuple[int, int, int]] = {}  # name -> (method, offset in its data, length)
    for name, payload in payloads.items():
        if methods[name] == 1:
            placed[name] = (1, len(idat_body), len(payload))
            idat_body += payload
        else:
            placed[name] = (0, len(mdat_body), len(payload))
            mdat_body += payload
    if xmp_length is not None:
        method, offset, _ = placed["xmp"]
        placed["xmp"] = (method, offset, xmp_length)
    ftyp = _box(b"ftyp", b"heic" + b"\x00" * 4 + b"mif1heic")
    hdlr = _full_box(b"hdlr", 0, b"\x00" * 4 + b"pict" + b"\x00" * 13)
    iinf = _full_box(b"iinf", 0, struct.pack(">H", 2) + _infe(1, b"Exif") + _infe(2, b"mime", "application/rdf+xml"))

    def iloc(mdat_start: int) -> bytes:
        body = bytes([0x44, 0x00]) + struct.pack(">H", len(placed))  # 4-byte offsets and lengths
        for name, (method, offset, length) in placed.items():
            absolute = offset + (mdat_start if method == 0 else 0)
            body += struct.pack(">HHHHII", ids[name], method, 0, 1, absolute, length)
        return _full_box(b"iloc", 1, body)

    def meta(mdat_start: int) -> bytes:
        return _full_box(b"meta", 0, hdlr + iinf + iloc(mdat_start) + _box(b"idat", idat_body))

    mdat_start = len(ftyp) + len(meta(0)) + 8  # iloc has a fixed size: one pass finds the offset
    return ftyp + meta(mdat_start) + _box(b"mdat", mdat_body)


def test_exif_and_xmp_in_idat_are_read() -> None:
    meta = read_metadata(source_from_bytes(heif_file({"exif": 1, "xmp": 1}), "idat.heic"))
    assert meta.container.format == "heif" and not meta.problems
    assert meta.exif.text["Make"] == "IdatCam" and meta.exif.text["Model"] == "HEIF-1"
    assert any(p.name == "format" and p.value == "image/heic" for p in meta.xmp)


def test_idat_and_file_offsets_mixed() -> None:
    for methods in ({"exif": 1, "xmp": 0}, {"exif": 0, "xmp": 1}, {"exif": 0, "xmp": 0}):
        meta = read_metadata(source_from_bytes(heif_file(methods), "mixed.heic"))
        assert meta.exif.text["Make"] == "IdatCam", methods
        assert any(p.value == "image/heic" for p in meta.xmp), methods


def test_extent_running_past_idat_is_dropped() -> None:
    container = read_container(heif_file({"exif": 1, "xmp": 1}, xmp_length=len(XMP) + 50))
    assert container.xmp == [] and len(container.exif) == 1


def test_real_heif_files_still_read(testdata: Path) -> None:
    """Files whose idat holds image grids: their Exif/XMP items (file offsets) read as before."""
    iphone = read_metadata(read_source(testdata / "exif-camera" / "heic__IMG_5195.HEIC"))
    assert iphone.exif.text["Model"] == "iPhone 11 Pro Max" and iphone.xmp
    xiaomi = read_metadata(read_source(testdata / "heic-avif" / "pillow-heif__heif_special__xiaomi.heic"))
    assert xiaomi.exif.thumbnail is not None
