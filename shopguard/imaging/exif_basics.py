"""EXIF facts: a quick summary for every view, and the full field set the metadata checks read."""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from PIL import ExifTags, Image

from shopguard.imaging.decode import SourceFile, pillow_warnings

log = logging.getLogger(__name__)

_BASE_TAGS = {
    "make": ExifTags.Base.Make,
    "model": ExifTags.Base.Model,
    "software": ExifTags.Base.Software,
    "datetime": ExifTags.Base.DateTime,
}
_EXIF_IFD_TAGS = {
    "datetime_original": ExifTags.Base.DateTimeOriginal,
    "datetime_digitized": ExifTags.Base.DateTimeDigitized,
}


def _clean(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if value is None:
        return None
    cleaned = str(value).replace("\x00", "").strip()
    if any(ord(c) > 0x7F for c in cleaned):
        # EXIF ASCII tags often hold UTF-8 (Chinese app names); Pillow hands them back as Latin-1.
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            cleaned = cleaned.encode("latin-1").decode("utf-8")
    return cleaned or None


def read_exif_basics(source: SourceFile) -> dict[str, Any]:
    """Make, model, software, capture times and whether GPS is present; missing values are left out.

    Never raises for bad metadata: an unreadable EXIF block gives ``{"exif_error": reason}``.
    """
    out: dict[str, Any] = {}
    try:
        with pillow_warnings(), Image.open(io.BytesIO(source.data)) as im:
            exif = im.getexif()
            for name, tag in _BASE_TAGS.items():
                if (value := _clean(exif.get(tag))) is not None:
                    out[name] = value
            sub = exif.get_ifd(ExifTags.IFD.Exif)
            for name, tag in _EXIF_IFD_TAGS.items():
                if (value := _clean(sub.get(tag))) is not None:
                    out[name] = value
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
            if gps and (2 in gps or 4 in gps):
                out["has_gps"] = True
    except Exception as exc:
        log.debug("EXIF unreadable in %s", source.path, exc_info=True)
        out["exif_error"] = type(exc).__name__
    return out


@dataclass(frozen=True)
class ExifFields:
    """The EXIF values ShopGuard's metadata checks read, decoded to text (missing = absent key).

    ``text`` keys use the EXIF tag names (``Make``, ``Software``, ``DateTimeOriginal``,
    ``UserComment``...); ``gps`` is (latitude, longitude) in degrees when both are readable;
    ``thumbnail`` is the IFD1 JPEG thumbnail bytes (EXIF 2.32 §4.5.8), if any.
    """

    text: dict[str, str] = field(default_factory=dict)
    gps: tuple[float, float] | None = None
    has_gps_ifd: bool = False
    thumbnail: bytes | None = None

    @property
    def camera(self) -> str:
        """Make and model as a person writes them ("Canon EOS 40D", not "Canon Canon EOS 40D"); "" if absent."""
        make, model = self.text.get("Make", "").strip(), self.text.get("Model", "").strip()
        if make and model.lower().startswith(make.split()[0].lower()):
            return model
        return " ".join(v for v in (make, model) if v)


_TEXT_TAGS_IFD0 = (
    "Make",
    "Model",
    "Software",
    "DateTime",
    "ImageDescription",
    "Artist",
    "Orientation",
    "HostComputer",
    "XPComment",
)
_TEXT_TAGS_EXIF = (
    "DateTimeOriginal",
    "DateTimeDigitized",
    "OffsetTimeOriginal",
    "OffsetTime",
    "UserComment",
    "LensModel",
)
MAX_THUMBNAIL_BYTES = 512 * 1024


def decode_user_comment(raw: bytes) -> str:
    """EXIF UserComment: 8-byte character code then data (EXIF 2.32 §4.6.5, Table 9).

    "UNICODE" is UCS-2 without a stated byte order; writers use both, so guess from the zero bytes.
    """
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        big_endian = not (len(body) > 1 and body[0] != 0 and body[1] == 0)  # "A\0" reads little-endian
        return body.decode("utf-16-be" if big_endian else "utf-16-le", "replace").replace("\x00", "").strip()
    if code.startswith((b"ASCII", b"\x00\x00\x00\x00\x00\x00\x00\x00", b"JIS")) or len(raw) >= 8:
        return body.decode("utf-8", "replace").replace("\x00", "").strip()
    return raw.decode("utf-8", "replace").replace("\x00", "").strip()


def _text_value(name: str, value: Any) -> str | None:
    if name == "UserComment" and isinstance(value, bytes):
        return decode_user_comment(value) or None
    if name == "XPComment" and isinstance(value, bytes):
        return value.decode("utf-16-le", "replace").replace("\x00", "").strip() or None
    return _clean(value)


def _degrees(dms: Any, ref: Any) -> float | None:
    try:
        deg = float(dms[0]) + float(dms[1]) / 60 + float(dms[2]) / 3600
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        return None
    return -deg if str(ref).strip().upper() in ("S", "W") else deg


def exif_fields(raw: bytes) -> ExifFields:
    """Decode one raw EXIF block (starting at the TIFF header).

    Raises:
        ValueError: the block is not a readable TIFF structure (callers report it as unreadable).
    """
    exif = Image.Exif()
    try:
        with pillow_warnings():
            exif.load(raw)
            sub = exif.get_ifd(ExifTags.IFD.Exif)
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
            ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    except Exception as exc:
        raise ValueError(f"EXIF block unreadable ({type(exc).__name__})") from exc
    text: dict[str, str] = {}
    # Some generators (ComfyUI SaveImagePlus) put UserComment in IFD0: read the Exif IFD, then IFD0.
    for names, ifd in ((_TEXT_TAGS_IFD0, exif), (_TEXT_TAGS_EXIF, sub), (_TEXT_TAGS_EXIF, exif)):
        for name in names:
            value = _text_value(name, ifd.get(ExifTags.Base[name]))
            if value is not None and name not in text:
                text[name] = value
    lat, lon = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
    thumbnail = None
    offset, length = ifd1.get(0x0201), ifd1.get(0x0202)
    if isinstance(offset, int) and isinstance(length, int) and 0 < length <= MAX_THUMBNAIL_BYTES:
        candidate = raw[offset : offset + length]
        thumbnail = candidate if candidate.startswith(b"\xff\xd8") else None
    return ExifFields(
        text=text,
        gps=(lat, lon) if lat is not None and lon is not None else None,
        has_gps_ifd=bool(gps),
        thumbnail=thumbnail,
    )
