"""The Samsung "SEF" trailer that Galaxy phones append after a JPEG's end (bounded reader).

Layout (as decoded by ExifTool's Samsung.pm, little-endian): the file ends with ``u32 dir_len`` +
``"SEFT"``; the ``dir_len`` bytes before them are a directory starting ``"SEFH"``, ``u32 version``,
``u32 count``, then ``count`` entries of ``u16 0, u16 type, u32 back_offset, u32 size``. Each block
sits ``back_offset`` bytes before the directory and starts ``u16 0, u16 type, u32 name_len, name``,
followed by its data. Blocks carry names such as ``Image_UTC_Data``, ``PhotoEditor_Re_Edit_Data``
(Gallery editor history, JSON) and ``PEg_Info`` (JSON written by Galaxy AI generative editing).

Only names and small text payloads are kept (``MAX_BLOCK_TEXT`` each); binary blocks (motion photo
video, depth maps) are skipped. Never raises: a malformed trailer is a recorded problem.
"""

from __future__ import annotations

import struct

from shopguard.imaging.metadata_records import ContainerMetadata, TextEntry

MAX_BLOCKS = 256
MAX_BLOCK_TEXT = 256 * 1024
WHERE = "samsung:SEF"


def read_samsung_trailer(data: bytes, meta: ContainerMetadata) -> None:
    """Add the blocks of a Samsung SEF trailer (if ``data`` ends with one) to ``meta.texts``."""
    if len(data) < 20 or data[-4:] != b"SEFT":
        return
    dir_len = struct.unpack_from("<I", data, len(data) - 8)[0]
    dir_pos = len(data) - 8 - dir_len
    if dir_len < 12 or dir_pos < 0 or data[dir_pos : dir_pos + 4] != b"SEFH":
        meta.problems.append("samsung trailer: directory not found")
        return
    count = struct.unpack_from("<I", data, dir_pos + 8)[0]
    if 12 + 12 * count > dir_len or count > MAX_BLOCKS:
        meta.problems.append("samsung trailer: directory entry count out of range")
        return
    for index in range(count):
        _, _, back, size = struct.unpack_from("<HHII", data, dir_pos + 12 + 12 * index)
        start = dir_pos - back
        if back > dir_pos or size > back or size < 8:
            meta.problems.append("samsung trailer: block outside the file")
            return
        name_len = struct.unpack_from("<I", data, start + 4)[0]
        if 8 + name_len > size:
            meta.problems.append("samsung trailer: block name too long")
            return
        name = data[start + 8 : start + 8 + name_len].decode("latin-1")
        payload = data[start + 8 + name_len : start + min(size, 8 + name_len + MAX_BLOCK_TEXT)]
        meta.texts.append(TextEntry(WHERE, name, _text(payload)))


def _text(payload: bytes) -> str:
    """The payload as text when it is text (JSON, numbers), else empty."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return text if text.isprintable() or text.strip().startswith(("{", "[")) else ""
