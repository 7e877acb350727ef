"""A few EXIF facts every part of ShopGuard shows: camera, capture time, software, GPS presence."""

from __future__ import annotations

import io
import logging
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
