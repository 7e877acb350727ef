"""Bounded parsing of the metadata a photo file carries, straight from its container structure.

One entry point, ``read_container(data)``: it walks JPEG segments (APP1 EXIF / XMP incl. extended
XMP, APP11 JUMBF, APP13 Photoshop IRB, COM, DQT), every PNG chunk wherever it sits (tEXt, zTXt,
iTXt, eXIf, caBX, also after IDAT), WebP RIFF chunks (EXIF, XMP, C2PA), HEIF/AVIF boxes (Exif
and XMP items, at file offsets or inside the meta box's idat) and the metadata boxes of MP4 /
QuickTime videos (movie_boxes.py). It follows the declared structure only: it never scans pixel
data for strings, so text that happens to appear inside compressed image data can never become a
"label".

Every length is checked against the buffer and against caps; a malformed structure stops the walk
and is recorded in ``problems`` (the checks turn that into an ``info`` "metadata unreadable").
It never raises for bad input.
"""

from __future__ import annotations

import logging

from shopguard.imaging.container_chunks import read_isobmff, read_png, read_webp
from shopguard.imaging.metadata_records import ContainerMetadata, TextEntry, decode_xml_bytes
from shopguard.imaging.movie_boxes import read_movie
from shopguard.imaging.samsung_trailer import read_samsung_trailer
from shopguard.imaging.video_sniff import is_video

log = logging.getLogger(__name__)

__all__ = ["ContainerMetadata", "TextEntry", "read_container"]

MAX_SEGMENTS = 4096
"""A real JPEG has a few dozen segments; more means a crafted file."""
MAX_EXTENDED_XMP_BYTES = 16 * 1024 * 1024
"""Extended XMP (Adobe XMP spec part 3, §1.1.3.1) is split over APP1 segments; cap its total."""

MAX_RESYNC_BYTES = 64 * 1024

_EXIF_PREFIX = b"Exif\x00\x00"
_XMP_PREFIX = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXT_PREFIX = b"http://ns.adobe.com/xmp/extension/\x00"
_IRB_PREFIX = b"Photoshop 3.0\x00"
# SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not SOFs.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def read_container(data: bytes) -> ContainerMetadata:
    """Parse the container structure of ``data`` and collect its metadata (never raises)."""
    meta = ContainerMetadata()
    if data.startswith(b"\xff\xd8"):
        meta.format = "jpeg"
        _read_jpeg(data, meta)
        read_samsung_trailer(data, meta)
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        meta.format = "png"
        read_png(data, meta)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        meta.format = "webp"
        read_webp(data, meta)
    elif data[:4] in (b"II*\x00", b"MM\x00*"):
        meta.format = "tiff"  # a TIFF file is itself an EXIF-style IFD tree
        meta.exif.append(data)
    elif is_video(data):
        meta.format = "video"
        read_movie(data, meta)
    elif data[4:8] == b"ftyp":
        meta.format = "heif"
        read_isobmff(data, meta)
    if meta.problems:
        log.debug("container problems: %s", meta.problems)
    return meta


def _read_jpeg(data: bytes, meta: ContainerMetadata) -> None:
    extended: dict[bytes, dict[int, bytes]] = {}
    pos, count = 2, 0
    while pos + 4 <= len(data) and count < MAX_SEGMENTS:
        if data[pos] != 0xFF:
            # libjpeg skips "extraneous bytes before marker"; do the same, within a bounded window.
            resync = data.find(b"\xff", pos, pos + MAX_RESYNC_BYTES)
            if resync < 0:
                meta.problems.append(f"jpeg: expected a marker at byte {pos}")
                break
            log.debug("jpeg: skipped %d extraneous bytes at %d", resync - pos, pos)
            pos = resync
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker (ITU T.81 §B.1.1.2)
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # TEM, RSTn: no length
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # EOI, SOS: the metadata segments come before the scan
            break
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            meta.problems.append(f"jpeg: segment 0x{marker:02X} at byte {pos} runs past the end")
            break
        _jpeg_segment(marker, data[pos + 4 : end], meta, extended)
        pos, count = end, count + 1
    if count >= MAX_SEGMENTS:
        meta.problems.append("jpeg: too many segments")
    for guid, parts in extended.items():
        joined = b"".join(parts[offset] for offset in sorted(parts))
        meta.xmp.append(decode_xml_bytes(joined))
        log.debug("extended XMP %s: %d bytes", guid.decode("ascii", "replace"), len(joined))


def _jpeg_segment(marker: int, body: bytes, meta: ContainerMetadata, extended: dict[bytes, dict[int, bytes]]) -> None:
    if marker == 0xE1:
        if body.startswith(_EXIF_PREFIX):
            meta.exif.append(body[len(_EXIF_PREFIX) :])
        elif body.startswith(_XMP_PREFIX):
            meta.xmp.append(decode_xml_bytes(body[len(_XMP_PREFIX) :]))
        elif body.startswith(_XMP_EXT_PREFIX):
            _extended_xmp(body[len(_XMP_EXT_PREFIX) :], meta, extended)
    elif marker == 0xEB and body[:2] == b"JP":  # APP11 JPEG-XT box: JUMBF (ISO 19566-5) / C2PA
        meta.jumbf_bytes += len(body)
    elif marker == 0xED and body.startswith(_IRB_PREFIX):
        meta.irb.append(body[len(_IRB_PREFIX) :])
    elif marker == 0xFE:
        meta.texts.append(TextEntry("jpeg:COM", "comment", decode_xml_bytes(body)))
    elif marker == 0xDB:
        _quant_tables(body, meta)
    elif marker in _SOF_MARKERS and len(body) >= 5:
        meta.frame_size = (int.from_bytes(body[3:5], "big"), int.from_bytes(body[1:3], "big"))


def _extended_xmp(body: bytes, meta: ContainerMetadata, extended: dict[bytes, dict[int, bytes]]) -> None:
    # 32-byte GUID (MD5 of the full extension), 4-byte full length, 4-byte offset, then the chunk.
    if len(body) < 40:
        meta.problems.append("jpeg: extended XMP segment too short")
        return
    guid, offset = body[:32], int.from_bytes(body[36:40], "big")
    parts = extended.setdefault(guid, {})
    if sum(len(p) for p in parts.values()) + len(body) - 40 > MAX_EXTENDED_XMP_BYTES:
        meta.problems.append("jpeg: extended XMP larger than the cap")
        return
    parts[offset] = body[40:]


def _quant_tables(body: bytes, meta: ContainerMetadata) -> None:
    """DQT (ITU T.81 §B.2.4.1): Pq|Tq byte, then 64 values of 8 (Pq=0) or 16 bits (Pq=1)."""
    pos = 0
    while pos < len(body):
        precision, table_id = body[pos] >> 4, body[pos] & 0x0F
        size = 128 if precision else 64
        chunk = body[pos + 1 : pos + 1 + size]
        if len(chunk) < size or table_id > 3:
            meta.problems.append("jpeg: malformed quantisation table")
            return
        values = [int.from_bytes(chunk[i : i + 2], "big") for i in range(0, 128, 2)] if precision else list(chunk)
        meta.quant_tables[table_id] = values
        pos += 1 + size
