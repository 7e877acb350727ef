"""Generation parameters hidden in pixel bits ("stealth pnginfo"), read back as a text entry.

The Stable Diffusion WebUI extension sd-webui-stealth-pnginfo (and its ComfyUI ports)
writes the A1111 ``parameters`` text into the least significant bits of the pixels, so that it
survives sites that strip PNG text chunks; NovelAI writes the same layout (seen in the test data).
Layout, as the writer lays it out:

- bits are taken column by column (x outer, y inner), from the top-left pixel;
- "alpha" mode: one bit per pixel, the alpha LSB; "rgb" mode: three bits per pixel, the R, G, B LSBs;
- first the 15-byte ASCII signature, ``stealth_png{info|comp}`` (alpha) or ``stealth_rgb{info|comp}``
  (rgb), then a 32-bit big-endian count of payload *bits*, then the payload: UTF-8 text, gzipped
  when the signature ends in ``comp``. Every byte is written most significant bit first.

Reading is bounded: the signature is checked before anything else (a chance match in random bits
has odds of 2^-120), the declared length must fit in the picture and under ``MAX_PAYLOAD_BYTES``, and
the gzip output is capped. Anything else found in the bits is "no hidden text", never an error.
"""

from __future__ import annotations

import logging
import math
import zlib

import numpy as np
import numpy.typing as npt
from PIL import Image

from shopguard.errors import ImageReadError
from shopguard.imaging.decode import SourceFile, decode_stored, probe
from shopguard.imaging.json_text import parse_json_text
from shopguard.imaging.metadata_records import TextEntry

log = logging.getLogger(__name__)

SIGNATURES = {
    b"stealth_pnginfo": ("alpha", False),
    b"stealth_pngcomp": ("alpha", True),
    b"stealth_rgbinfo": ("rgb", False),
    b"stealth_rgbcomp": ("rgb", True),
}
SIGNATURE_BITS = 15 * 8
LENGTH_BITS = 32
MAX_PAYLOAD_BYTES = 1024 * 1024
"""A1111 parameters are a few KB; gzip makes them smaller still. More is not this format."""
MAX_TEXT_BYTES = 8 * 1024 * 1024
"""Cap on the inflated text (the same cap as compressed PNG text chunks)."""
FORMATS = ("png", "webp")
"""Lossless carriers the writers save to; JPEG re-quantisation destroys the bits."""
KEY = "parameters"
"""The WebUI writers hide its ``parameters`` text, so a plain text payload gets that key. NovelAI
hides a JSON object of its PNG text items ({"Software": "NovelAI", "Comment": ...}): each becomes an
entry under its own key, as if read from the text chunks."""


def _plane(im: Image.Image, mode: str, columns: int) -> npt.NDArray[np.uint8]:
    """The LSBs a writer mode uses in the first ``columns`` columns, as (height, columns, bits/pixel)."""
    part = im.crop((0, 0, min(im.width, columns), im.height))
    if mode == "alpha":
        return np.bitwise_and(np.asarray(part.getchannel("A"), dtype=np.uint8)[:, :, None], np.uint8(1))
    return np.bitwise_and(np.asarray(part.convert("RGB"), dtype=np.uint8), np.uint8(1))


def _read_bits(plane: npt.NDArray[np.uint8], start: int, count: int) -> bytes:
    """``count`` bits from bit ``start`` in column-major order, packed MSB first."""
    columns = np.transpose(plane, (1, 0, 2)).reshape(-1)
    return np.packbits(columns[start : start + count]).tobytes()


def _gunzip(payload: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer (RFC 1952)
    out = inflater.decompress(payload, MAX_TEXT_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError("hidden text larger than the cap")
    return out


def _hidden(im: Image.Image, mode: str) -> tuple[str, bytes] | None:
    """(signature, raw payload) when the ``mode`` bit plane starts with a stealth header; only the
    columns the header and the declared payload occupy are ever read."""
    per_column = im.height * (1 if mode == "alpha" else 3)
    available = per_column * im.width
    header = SIGNATURE_BITS + LENGTH_BITS
    if available < header:
        return None
    plane = _plane(im, mode, math.ceil(header / per_column))
    signature = _read_bits(plane, 0, SIGNATURE_BITS)
    if SIGNATURES.get(signature, ("", False))[0] != mode:
        return None
    length_bits = int.from_bytes(_read_bits(plane, SIGNATURE_BITS, LENGTH_BITS), "big")
    if length_bits == 0 or length_bits % 8 or length_bits > min(8 * MAX_PAYLOAD_BYTES, available - header):
        log.info("stealth header %s declares %d payload bits: ignored", signature, length_bits)
        return None
    plane = _plane(im, mode, math.ceil((header + length_bits) / per_column))
    return signature.decode("ascii"), _read_bits(plane, header, length_bits)


def stealth_text(source: SourceFile) -> list[TextEntry]:
    """The text hidden in a PNG or WebP's pixel LSBs by the stealth-pnginfo writers (empty when none).

    ``where`` names the carrier and the signature, e.g. ``"png:alpha LSB (stealth_pngcomp)"``.
    Files that cannot be decoded give an empty list: the ``input`` check reports them.
    """
    try:
        fmt = probe(source).format
        if fmt not in FORMATS:
            return []
        im = decode_stored(source)
    except ImageReadError as exc:
        log.info("no stealth text read from %s: %s", source.path, exc.message("en"))
        return []
    modes = {"RGBA": ("alpha", "rgb"), "RGB": ("rgb",), "LA": ("alpha",)}.get(im.mode, ())
    entries: list[TextEntry] = []
    for mode in modes:
        found = _hidden(im, mode)
        if found is None:
            continue
        signature, payload = found
        try:
            raw = _gunzip(payload) if SIGNATURES[signature.encode("ascii")][1] else payload
        except (zlib.error, ValueError) as exc:
            log.info("stealth %s payload unreadable: %s", signature, exc)
            continue
        entries.extend(_entries(f"{fmt}:{mode} LSB ({signature})", raw.decode("utf-8", errors="replace")))
    return entries


def _entries(where: str, text: str) -> list[TextEntry]:
    items = parse_json_text(text)
    if isinstance(items, dict) and items and all(isinstance(v, str) for v in items.values()):
        return [TextEntry(where, str(key), value) for key, value in items.items()]
    return [TextEntry(where, KEY, text)]
