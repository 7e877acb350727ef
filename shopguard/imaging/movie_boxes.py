"""Metadata boxes of MP4 / QuickTime / 3GP videos (ISO/IEC 14496-12, QuickTime File Format), filling
ContainerMetadata so the photo metadata checks (AIGC label, IPTC source type, editing software, XMP dates,
C2PA) read a complaint video the way they read a photo.

Where video metadata lives:
- XMP: a top-level ``uuid`` box with the XMP UUID (Adobe XMP spec part 3, §1.1.4) or ``moov/udta/XMP_``;
- C2PA: a top-level ``uuid`` box with the C2PA UUID (C2PA spec §A.5), counted as JUMBF;
- QuickTime metadata: ``moov/meta`` (or ``moov/udta/meta``) with a ``keys`` list (``mdta`` key names such as
  ``com.apple.quicktime.make`` or a label key ``AIGC``) and an ``ilst`` whose items are numbered by key;
  each value sits in a ``data`` box. These become TextEntry("mp4:mdta", key, value).
Only declared box lengths are followed, as for photos.
"""

from __future__ import annotations

from shopguard.imaging.container_chunks import _C2PA_UUID, _boxes
from shopguard.imaging.metadata_records import ContainerMetadata, TextEntry, decode_xml_bytes

_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
MAX_VALUE_BYTES = 1 << 20
"""A QuickTime metadata value larger than 1 MB is no label or name: skipped."""
_UTF8_TYPES = frozenset({1, 4})  # QuickTime well-known data types: 1 UTF-8, 4 UTF-8 sort


def read_movie(data: bytes, meta: ContainerMetadata) -> None:
    """Collect XMP, QuickTime metadata items and C2PA presence from a movie file (never raises)."""
    for kind, start, end in _boxes(data, 0, len(data), meta):
        if kind == b"uuid" and data[start : start + 16] == _XMP_UUID:
            meta.xmp.append(decode_xml_bytes(data[start + 16 : end]))
        elif kind == b"uuid" and data[start : start + 16] == _C2PA_UUID:
            meta.jumbf_bytes += end - start
        elif kind == b"moov":
            _movie_box(data, start, end, meta)


def _movie_box(data: bytes, start: int, end: int, meta: ContainerMetadata) -> None:
    for kind, s, e in _boxes(data, start, end, meta):
        if kind == b"meta":
            _quicktime_meta(data, s, e, meta)
        elif kind == b"udta":
            for child, cs, ce in _boxes(data, s, e, meta):
                if child == b"XMP_":
                    meta.xmp.append(decode_xml_bytes(data[cs:ce]))
                elif child == b"meta":
                    _quicktime_meta(data, cs + 4, ce, meta)  # udta/meta is a FullBox (ISO 14496-12 §8.11.1)


def _quicktime_meta(data: bytes, start: int, end: int, meta: ContainerMetadata) -> None:
    """keys + ilst (QuickTime File Format, "Metadata" chapter): item type n in ilst names keys[n-1]."""
    children = _boxes(data, start, end, meta)
    if children and children[0][0] not in (b"hdlr", b"keys", b"ilst"):
        children = _boxes(data, start + 4, end, meta)  # written as a FullBox (ISO style), not QuickTime style
    keys: list[str] = []
    for kind, s, e in children:
        if kind == b"keys" and e - s >= 8:
            pos = s + 8  # version/flags, entry_count
            while pos + 8 <= e:
                size = int.from_bytes(data[pos : pos + 4], "big")
                if size < 8 or pos + size > e:
                    meta.problems.append("mp4: keys entry runs past its box")
                    break
                keys.append(data[pos + 8 : pos + size].decode("utf-8", "replace"))
                pos += size
    for kind, s, e in children:
        if kind != b"ilst":
            continue
        for item, is_, ie in _boxes(data, s, e, meta):
            number = int.from_bytes(item, "big")
            name = keys[number - 1] if 1 <= number <= len(keys) else item.decode("latin-1")
            for value_kind, vs, ve in _boxes(data, is_, ie, meta):
                if value_kind != b"data" or ve - vs < 8 or ve - vs > MAX_VALUE_BYTES:
                    continue
                type_code = int.from_bytes(data[vs + 1 : vs + 4], "big")
                if type_code in _UTF8_TYPES:
                    meta.texts.append(TextEntry("mp4:mdta", name, data[vs + 8 : ve].decode("utf-8", "replace")))
