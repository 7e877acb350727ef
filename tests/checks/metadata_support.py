"""Helpers for the metadata check tests: run one check on a file, build files carrying metadata."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from shopguard.checks.context import CaseFacts, CheckContext
from shopguard.checks.findings import Finding
from shopguard.checks.registry import Check
from shopguard.imaging import SourceFile, probe, read_source


def run_check(
    check: Check, path: Path, case: CaseFacts | None = None, artifact_dir: Path | None = None
) -> list[Finding]:
    """Run ``check`` on the file at ``path`` the way the runner does."""
    source = read_source(path)
    ctx = CheckContext(source=source, facts=probe(source), case=case or CaseFacts(), artifact_dir=artifact_dir)
    return check.run(ctx)


def source_from_bytes(data: bytes, name: str = "memory.jpg") -> SourceFile:
    """A SourceFile for bytes built in the test (never written anywhere)."""
    return SourceFile(path=Path(name), data=data, sha256=hashlib.sha256(data).hexdigest(), mtime=0.0)


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "gray", **save: object) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", **save)
    return buf.getvalue()


def insert_jpeg_segment(jpeg: bytes, marker: int, body: bytes) -> bytes:
    """Put one APPn/COM segment right after SOI."""
    return jpeg[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def xmp_packet(inner_rdf: str, extra_ns: str = "") -> str:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" {extra_ns}>'
        f'{inner_rdf}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def jpeg_with_xmp(packet: str) -> bytes:
    return insert_jpeg_segment(jpeg_bytes(), 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode("utf-8"))


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with_chunks(chunks: list[tuple[bytes, bytes]], after_idat: bool = False) -> bytes:
    """A small valid PNG with extra chunks before IDAT (or after it, before IEND)."""
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buf, "PNG")
    data = buf.getvalue()
    extra = b"".join(png_chunk(k, b) for k, b in chunks)
    anchor = data.rfind(b"IEND") - 4 if after_idat else data.find(b"IDAT") - 4
    return data[:anchor] + extra + data[anchor:]


def itxt(key: str, text: str) -> tuple[bytes, bytes]:
    return b"iTXt", key.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")


def samsung_trailer(blocks: list[tuple[int, str, bytes]]) -> bytes:
    """A Samsung SEF trailer (SEFH directory + SEFT footer) holding ``(type, name, data)`` blocks."""
    body = b""
    offsets = []
    for block_type, name, data in blocks:
        raw = struct.pack("<HHI", 0, block_type, len(name)) + name.encode() + data
        offsets.append((block_type, len(body), len(raw)))
        body += raw
    entries = b"".join(struct.pack("<HHII", 0, t, len(body) - start, size) for t, start, size in offsets)
    directory = b"SEFH" + struct.pack("<II", 101, len(blocks)) + entries
    return body + directory + struct.pack("<I", len(directory)) + b"SEFT"


# Stealth pnginfo (see shopguard/imaging/stealth_text.py): A1111 parameters hidden in pixel LSBs.
PARAMETERS = (
    "a red ceramic mug on a wooden table, studio light\n"
    "Negative prompt: blurry\n"
    "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 1234567, Size: 96x80, Model: sdxl_base"
)


def _bits(data: bytes) -> npt.NDArray[np.uint8]:
    return np.unpackbits(np.frombuffer(data, dtype=np.uint8))  # most significant bit first


def stealth_stream(signature: str, payload: bytes, length_bits: int | None = None) -> npt.NDArray[np.uint8]:
    """Signature, 32-bit big-endian payload bit count, payload: the stealth-pnginfo layout."""
    count = 8 * len(payload) if length_bits is None else length_bits
    return np.concatenate([_bits(signature.encode()), _bits(count.to_bytes(4, "big")), _bits(payload)])


def hide(pixels: npt.NDArray[np.uint8], stream: npt.NDArray[np.uint8], channels: slice) -> npt.NDArray[np.uint8]:
    """Write ``stream`` into the LSBs of ``channels``, column by column (x outer, y inner)."""
    out = pixels.copy()
    column_major = np.transpose(out[:, :, channels], (1, 0, 2)).copy()  # (x, y, channel)
    flat = column_major.reshape(-1)
    flat[: len(stream)] = (flat[: len(stream)] & 0xFE) | stream
    out[:, :, channels] = np.transpose(flat.reshape(column_major.shape), (1, 0, 2))
    return out
