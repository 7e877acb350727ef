"""Chunk and box walkers for PNG, WebP (RIFF) and HEIF/AVIF (ISO BMFF), filling ContainerMetadata.

Each walker follows declared lengths only, checks them against the buffer and stops (recording a
problem) at the first inconsistency. Compressed PNG text is inflated with an output cap, so a
zTXt "zip bomb" costs at most ``MAX_TEXT_BYTES``.
"""

from __future__ import annotations

import zlib

from shopguard.imaging.metadata_records import ContainerMetadata, TextEntry, decode_xml_bytes

MAX_CHUNKS = 100_000
MAX_TEXT_BYTES = 8 * 1024 * 1024
"""Largest inflated PNG text kept (ComfyUI workflows reach a few hundred KB)."""
MAX_BOX_DEPTH = 6
_PNG_XMP_KEY = "XML:com.adobe.xmp"
# ISO/IEC 19566-5 JUMBF / C2PA in ISO BMFF files sits in a 'uuid' box with this UUID (C2PA spec §A.5).
_C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")


def _latin1(raw: bytes) -> str:
    return raw.decode("latin-1")


def _inflate(raw: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(raw, MAX_TEXT_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError("compressed text larger than the cap")
    return out


def read_png(data: bytes, meta: ContainerMetadata) -> None:
    """Walk every PNG chunk (PNG spec §5.3), including text chunks placed after IDAT."""
    pos, count = 8, 0
    while pos + 8 <= len(data) and count < MAX_CHUNKS:
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if length > 0x7FFFFFFF or len(body) < length:
            meta.problems.append(f"png: chunk {kind!r} at byte {pos} runs past the end")
            return
        try:
            _png_chunk(kind, body, meta)
        except (ValueError, zlib.error) as exc:
            meta.problems.append(f"png: {kind.decode('latin-1')} chunk unreadable ({exc})")
        if kind == b"IEND":
            return
        pos, count = pos + 12 + length, count + 1


def _png_chunk(kind: bytes, body: bytes, meta: ContainerMetadata) -> None:
    if kind == b"IHDR" and len(body) >= 8:
        meta.frame_size = (int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big"))
    elif kind == b"tEXt":
        key, _, value = body.partition(b"\x00")
        _png_text(meta, "png:tEXt", _latin1(key), _latin1(value))
    elif kind == b"zTXt":
        key, _, rest = body.partition(b"\x00")
        _png_text(meta, "png:zTXt", _latin1(key), _latin1(_inflate(rest[1:])))
    elif kind == b"iTXt":
        key, _, rest = body.partition(b"\x00")
        if len(rest) < 2:
            raise ValueError("truncated iTXt")
        compressed, rest = rest[0], rest[2:]
        _lang, _, rest = rest.partition(b"\x00")
        _translated, _, value = rest.partition(b"\x00")
        raw = _inflate(value) if compressed else value
        _png_text(meta, "png:iTXt", _latin1(key), raw.decode("utf-8", "replace"))
    elif kind == b"eXIf":
        meta.exif.append(body)
    elif kind == b"caBX":  # C2PA manifest store in PNG (C2PA spec §A.3)
        meta.jumbf_bytes += len(body)


def _png_text(meta: ContainerMetadata, where: str, key: str, value: str) -> None:
    if key == _PNG_XMP_KEY:
        meta.xmp.append(value)
    else:
        meta.texts.append(TextEntry(where, key, value))


def read_webp(data: bytes, meta: ContainerMetadata) -> None:
    """Walk RIFF chunks of a WebP (Google "WebP Container Specification")."""
    end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    pos, count = 12, 0
    while pos + 8 <= end and count < MAX_CHUNKS:
        fourcc, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = data[pos + 8 : pos + 8 + size]
        if len(body) < size:
            meta.problems.append(f"webp: chunk {fourcc!r} runs past the end")
            return
        if fourcc == b"EXIF":
            meta.exif.append(body[6:] if body.startswith(b"Exif\x00\x00") else body)
        elif fourcc == b"XMP ":
            meta.xmp.append(decode_xml_bytes(body))
        elif fourcc == b"C2PA":
            meta.jumbf_bytes += size
        elif fourcc == b"VP8X" and size >= 10:
            meta.frame_size = (1 + int.from_bytes(body[4:7], "little"), 1 + int.from_bytes(body[7:10], "little"))
        pos, count = pos + 8 + size + (size & 1), count + 1


def _boxes(data: bytes, start: int, end: int, meta: ContainerMetadata) -> list[tuple[bytes, int, int]]:
    """(type, body_start, body_end) of the boxes in data[start:end] (ISO/IEC 14496-12 §4.2)."""
    out: list[tuple[bytes, int, int]] = []
    pos = start
    while pos + 8 <= end and len(out) < MAX_CHUNKS:
        size, kind, header = int.from_bytes(data[pos : pos + 4], "big"), data[pos + 4 : pos + 8], 8
        if size == 1:
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            meta.problems.append(f"heif: box {kind!r} at byte {pos} runs past its parent")
            break
        out.append((kind, pos + header, pos + size))
        pos += size
    return out


def read_isobmff(data: bytes, meta: ContainerMetadata) -> None:
    """Find the Exif and XMP items of a HEIF/AVIF file (ISO/IEC 23008-12 §A.2.1, 14496-12 §8.11)."""
    for kind, start, end in _boxes(data, 0, len(data), meta):
        if kind == b"uuid" and data[start : start + 16] == _C2PA_UUID:
            meta.jumbf_bytes += end - start
        if kind != b"meta":
            continue
        children = {k: (s, e) for k, s, e in _boxes(data, start + 4, end, meta)}  # meta is a FullBox
        if b"iinf" not in children or b"iloc" not in children:
            return
        try:
            items = _item_types(data, *children[b"iinf"], meta)
            locations = _item_locations(data, *children[b"iloc"], meta)
        except IndexError:  # a box shorter than its fixed header fields
            meta.problems.append("heif: item boxes truncated")
            return
        idat = children.get(b"idat", (0, 0))
        for item_id, (item_type, content_type) in items.items():
            payload = _item_payload(data, locations.get(item_id, []), idat)
            if item_type == b"Exif" and len(payload) >= 4:
                skip = 4 + int.from_bytes(payload[:4], "big")  # exif_tiff_header_offset (HEIF §A.2.1)
                meta.exif.append(payload[skip:])
            elif item_type == b"mime" and content_type == "application/rdf+xml" and payload:
                meta.xmp.append(decode_xml_bytes(payload))
        return


def _item_payload(data: bytes, extents: list[tuple[int, int, int]], idat: tuple[int, int]) -> bytes:
    """Join an item's extents: construction_method 0 counts offsets from the file start, 1 from the
    start of the meta box's ``idat`` body (ISO/IEC 14496-12 §8.11.3.1). An extent length of 0 means
    "to the end" of that data. Extents outside their data are dropped."""
    parts = []
    for method, offset, length in extents:
        start, end = (0, len(data)) if method == 0 else idat
        first = start + offset
        last = end if length == 0 else first + length
        if first <= last <= end:
            parts.append(data[first:last])
    return b"".join(parts)


def _item_types(data: bytes, start: int, end: int, meta: ContainerMetadata) -> dict[int, tuple[bytes, str]]:
    version = data[start]
    first = start + 4 + (2 if version == 0 else 4)
    items: dict[int, tuple[bytes, str]] = {}
    for kind, s, e in _boxes(data, first, end, meta):
        if kind != b"infe" or data[s] < 2:
            continue
        id_size = 2 if data[s] == 2 else 4
        pos = s + 4
        item_id = int.from_bytes(data[pos : pos + id_size], "big")
        pos += id_size + 2  # item_protection_index
        item_type = data[pos : pos + 4]
        _name, _, rest = data[pos + 4 : e].partition(b"\x00")
        content_type = rest.partition(b"\x00")[0].decode("latin-1") if item_type == b"mime" else ""
        items[item_id] = (item_type, content_type)
    return items


def _item_locations(
    data: bytes, start: int, end: int, meta: ContainerMetadata
) -> dict[int, list[tuple[int, int, int]]]:
    """iloc (ISO/IEC 14496-12 §8.11.3): (construction_method, offset, length) per extent of each item.
    Methods 0 (file offsets) and 1 (offsets into ``idat``) are followed; 2 (offsets into another
    item) is not used for Exif or XMP items by any writer seen, and is skipped."""
    body = data[start:end]
    version = body[0]
    offset_size, length_size = body[4] >> 4, body[4] & 0x0F
    base_size, index_size = body[5] >> 4, (body[5] & 0x0F if version in (1, 2) else 0)
    pos = 6

    def take(n: int) -> int:
        nonlocal pos
        if pos + n > len(body):
            raise ValueError("iloc truncated")
        value = int.from_bytes(body[pos : pos + n], "big")
        pos += n
        return value

    out: dict[int, list[tuple[int, int, int]]] = {}
    try:
        count = take(2 if version < 2 else 4)
        for _ in range(min(count, MAX_CHUNKS)):
            item_id = take(2 if version < 2 else 4)
            method = take(2) & 0x0F if version in (1, 2) else 0
            take(2)  # data_reference_index
            base = take(base_size)
            extents = []
            for _ in range(take(2)):
                take(index_size)
                extents.append((base + take(offset_size), take(length_size)))
            if method in (0, 1):
                out[item_id] = [(method, o, n) for o, n in extents]
    except ValueError as exc:
        meta.problems.append(f"heif: {exc}")
    return out
