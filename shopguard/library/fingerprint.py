"""Per-photo fingerprints in the library: perceptual hashes and local features of one reduced decode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import imagehash
import numpy as np
from PIL import Image

from shopguard.imaging import SourceFile, decode
from shopguard.imaging.decode import ImageFacts
from shopguard.imaging.phash import phash
from shopguard.library.features import LIBRARY_SIDE, LocalFeatures, library_features

HASH_DECODE_SIDE = 512
"""Hashes alone are taken on a reduced decode (JPEG draft mode); 8x8 hashes gain nothing from more pixels."""
HASH_NAMES = ("phash", "dhash", "ahash")


def image_hashes(image: Image.Image) -> np.ndarray:
    """The perceptual hashes of ``image`` as a uint64 array in ``HASH_NAMES`` order."""
    small = image.convert("L").resize((64, 64), Image.Resampling.BILINEAR) if max(image.size) > 64 else image
    # pHash from our numpy DCT (imaging/phash.py: bit-identical to imagehash's, without SciPy); dHash and aHash
    # need no transform, so they stay imagehash's.
    values = [phash(small), *(int(str(h), 16) for h in (imagehash.dhash(small), imagehash.average_hash(small)))]
    return np.array(values, dtype=np.uint64)


def pack_hashes(hashes: np.ndarray) -> bytes:
    return np.asarray(hashes, dtype="<u8").tobytes()


def unpack_hashes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


@dataclass(frozen=True)
class Fingerprint:
    """What the library stores about one photo; ``features`` is None when not asked for."""

    facts: ImageFacts
    hashes: np.ndarray
    exif: dict[str, Any]
    features: LocalFeatures | None = None


def fingerprint(source: SourceFile, exif: dict[str, Any], with_features: bool = False) -> Fingerprint:
    """Decode ``source`` at reduced size (never a full 12 MP decode) and hash it.

    Args:
        source: the file's bytes.
        exif: the EXIF basics to keep with the fingerprint.
        with_features: also compute ORB features for geometric verification (library photos).

    Raises:
        ImageReadError: when the file cannot be decoded.
    """
    # The JPEG draft is used as decoded: work_gray brings the grey copy to LIBRARY_SIDE (cv2 INTER_AREA, ~1 ms)
    # and the hashes shrink it to 64 px anyway, so a LANCZOS pass over the colour draft would be wasted.
    decoded = decode(source, max_side=LIBRARY_SIDE if with_features else HASH_DECODE_SIDE, draft_only=True)
    features = library_features(decoded.image, decoded.scale) if with_features else None
    return Fingerprint(decoded.facts, image_hashes(decoded.image), exif, features)
