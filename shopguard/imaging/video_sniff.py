"""Tell a video file from a photo by its first bytes (no decoding, no PyAV)."""

from __future__ import annotations

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".3gp", ".3g2", ".webm", ".mkv"})

_EBML = b"\x1a\x45\xdf\xa3"
_IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"mif2", b"msf1", b"avif", b"avis", b"MiHE"}
)
_QUICKTIME_TOP = frozenset({b"moov", b"wide", b"mdat", b"free", b"skip", b"pnot"})


def is_video(data: bytes) -> bool:
    """True when ``data`` starts like a video container (ISO BMFF with a video brand, QuickTime, Matroska/WebM).

    HEIF/AVIF photos share the ISO BMFF ``ftyp`` box: their major brands (ISO/IEC 23008-12 §10, AV1-ISOBMFF)
    say they are images.
    """
    if data[:4] == _EBML:
        return True
    if data[4:8] == b"ftyp":
        return data[8:12] not in _IMAGE_BRANDS
    return data[4:8] in _QUICKTIME_TOP
