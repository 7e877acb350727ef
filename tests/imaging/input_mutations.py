"""Structure-aware damage for fuzzing: where a file's segments, chunks and boxes start, and ways to break them.

Shared by ``test_fuzz_inputs.py`` (bounded, for CI) and ``benchmarks/fuzz_inputs.py`` (every boundary of every
file). A decoder is most fragile where one structure ends and the next begins: the length and type fields there
are what it trusts, so bit flips and truncations are aimed at those offsets rather than spread at random.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

MAX_FUZZ_FILE_BYTES = 400_000
"""Files larger than this are left out of the CI fuzz run (each example decodes the whole file)."""
_ISOBMFF_PARENTS = {b"meta": 4, b"iprp": 0, b"ipco": 0, b"moov": 0, b"trak": 0, b"dinf": 0}
"""Container boxes whose children are walked too, with the bytes to skip first (a FullBox has 4)."""


def _jpeg(data: bytes) -> list[int]:
    out, pos = [0], 2
    while pos + 4 <= len(data) and len(out) < 10_000:
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        out.append(pos)
        if marker in (0xD9,):
            break
        if marker == 0xDA:  # entropy-coded data follows; mark restart markers and the end too
            end = data.rfind(b"\xff\xd9")
            out.extend(i for i in range(pos + 2, len(data) - 1) if data[i] == 0xFF and 0xD0 <= data[i + 1] <= 0xD7)
            if end > pos:
                out.append(end)
            break
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return out


def _png(data: bytes) -> list[int]:
    out, pos = [0, 8], 8
    while pos + 8 <= len(data) and len(out) < 10_000:
        length = int.from_bytes(data[pos : pos + 4], "big")
        pos += 12 + length
        if pos <= len(data):
            out.append(pos)
    return out


def _riff(data: bytes) -> list[int]:
    out, pos = [0, 12], 12
    while pos + 8 <= len(data) and len(out) < 10_000:
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        pos += 8 + size + (size & 1)
        if pos <= len(data):
            out.append(pos)
    return out


def _isobmff(data: bytes, start: int, end: int, depth: int = 0) -> list[int]:
    out, pos = [], start
    while pos + 8 <= end and len(out) < 10_000:
        size, kind = int.from_bytes(data[pos : pos + 4], "big"), data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            break
        out.append(pos)
        if kind in _ISOBMFF_PARENTS and depth < 4:
            out.extend(_isobmff(data, pos + header + _ISOBMFF_PARENTS[kind], pos + size, depth + 1))
        pos += size
    return out


def boundaries(data: bytes) -> list[int]:
    """Offsets where a segment (JPEG), chunk (PNG, RIFF/WebP) or box (HEIF/AVIF) starts, plus the end."""
    if data.startswith(b"\xff\xd8"):
        found = _jpeg(data)
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        found = _png(data)
    elif data[:4] == b"RIFF":
        found = _riff(data)
    elif data[4:8] == b"ftyp":
        found = _isobmff(data, 0, len(data))
    else:
        found = [0]
    return sorted({*found, len(data)})


def truncate(data: bytes, at: int) -> bytes:
    return data[: max(at, 1)]


def flip_bit(data: bytes, at: int, bit: int) -> bytes:
    if not data:
        return data
    at = min(at, len(data) - 1)
    return data[:at] + bytes([data[at] ^ (1 << (bit % 8))]) + data[at + 1 :]


def overwrite(data: bytes, at: int, value: bytes) -> bytes:
    """``value`` written over the bytes at ``at`` (a length field set to 0 or 0xFFFFFFFF, say)."""
    at = min(at, max(len(data) - 1, 0))
    return data[:at] + value + data[at + len(value) :]


def mutations(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every structural mutation of ``data``: a truncation at each boundary, and at each boundary bit flips in
    its first 8 bytes (the length and type fields) plus a zero and an all-ones length."""
    for at in boundaries(data):
        if 0 < at < len(data):
            yield f"truncate@{at}", truncate(data, at)
        for offset in range(8):
            yield f"flip@{at + offset}", flip_bit(data, at + offset, (at + offset) % 8)
        yield f"zero-length@{at}", overwrite(data, at, b"\x00\x00\x00\x00")
        yield f"max-length@{at}", overwrite(data, at, b"\xff\xff\xff\xff")


def fuzz_files(root: Path, max_bytes: int = MAX_FUZZ_FILE_BYTES) -> list[Path]:
    """Image files under ``root`` of at most ``max_bytes``, in a stable order."""
    suffixes = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".avif", ".avifs", ".gif", ".tif", ".tiff"}
    return sorted(
        p for p in root.rglob("*") if p.suffix.lower() in suffixes and p.is_file() and p.stat().st_size <= max_bytes
    )


# --- crafted headers and oddities -----------------------------------------------------------------
def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_claiming(width: int, height: int, text: dict[str, str] | None = None) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels but whose data holds one row: a bomb's shape."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = [_png_chunk(b"IHDR", ihdr)]
    for key, value in (text or {}).items():
        chunks.append(_png_chunk(b"tEXt", key.encode("latin-1") + b"\x00" + value.encode("latin-1")))
    chunks.append(_png_chunk(b"IDAT", zlib.compress(b"\x00" * (1 + 3 * min(width, 64)))))
    chunks.append(_png_chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG with its SOF frame size rewritten to ``width`` x ``height``."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (120, 80, 40)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_with_text(pairs: dict[str, str]) -> bytes:
    """A real 64x48 PNG carrying ``pairs`` as iTXt chunks (UTF-8), the way SD web UIs write "parameters"."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for key, value in pairs.items():
        info.add_itxt(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 180, 160)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def xmp_jpeg(packet: str) -> bytes:
    """A real JPEG carrying ``packet`` as its APP1 XMP segment (as many bytes as a segment holds)."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (90, 120, 150)).save(buffer, "JPEG")
    data = buffer.getvalue()
    body = b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode("utf-8")[:65_000]
    segment = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    return data[:2] + segment + data[2:]
