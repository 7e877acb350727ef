"""Per-photo fingerprints stored in the library: perceptual hashes of a reduced decode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import imagehash
import numpy as np
from PIL import Image

from shopguard.imaging import SourceFile, decode
from shopguard.imaging.decode import ImageFacts

HASH_DECODE_SIDE = 512
"""Hashes are taken on a reduced decode (JPEG draft mode); 8x8 hashes gain nothing from more pixels."""
HASH_NAMES = ("phash", "dhash", "ahash")


def image_hashes(image: Image.Image) -> np.ndarray:
    """The perceptual hashes of ``image`` as a uint64 array in ``HASH_NAMES`` order."""
    values = [imagehash.phash(image), imagehash.dhash(image), imagehash.average_hash(image)]
    return np.array([int(str(h), 16) for h in values], dtype=np.uint64)


def pack_hashes(hashes: np.ndarray) -> bytes:
    return np.asarray(hashes, dtype="<u8").tobytes()


def unpack_hashes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


@dataclass(frozen=True)
class Fingerprint:
    facts: ImageFacts
    hashes: np.ndarray
    exif: dict[str, Any]


def fingerprint(source: SourceFile, exif: dict[str, Any]) -> Fingerprint:
    """Decode ``source`` at reduced size and hash it.

    Raises:
        ImageReadError: when the file cannot be decoded.
    """
    decoded = decode(source, max_side=HASH_DECODE_SIDE)
    return Fingerprint(decoded.facts, image_hashes(decoded.image), exif)
