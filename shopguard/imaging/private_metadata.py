"""The private values a photo's metadata may carry: a GPS position, the owner's or author's name, serial numbers.

They identify a place, a person or one device, so reports leave them out unless the seller opts in (Settings,
``--include-private-metadata``); the report's technical appendix either prints them or says they were withheld.
Read from EXIF (GPS IFD; IFD0 Artist; Exif IFD CameraOwnerName, BodySerialNumber, LensSerialNumber, EXIF 2.32
§4.6.5/4.6.7) and from XMP (aux:OwnerName, aux:SerialNumber, aux:LensSerialNumber, exifEX: names). Never raises.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from PIL import ExifTags, Image

from shopguard.imaging.decode import SourceFile, pillow_warnings
from shopguard.imaging.photo_metadata import read_metadata

log = logging.getLogger(__name__)

MAX_VALUE_CHARS = 120
"""A name or serial longer than this is cut (a real one is a few dozen characters; the rest is padding or junk)."""

_EXIF_NAMES = {"Artist": (None, 0x013B), "CameraOwnerName": (ExifTags.IFD.Exif, 0xA430)}
_EXIF_SERIALS = {"BodySerialNumber": (ExifTags.IFD.Exif, 0xA431), "LensSerialNumber": (ExifTags.IFD.Exif, 0xA435)}
_XMP_NAMES = {"OwnerName": "CameraOwnerName", "CameraOwnerName": "CameraOwnerName"}
_XMP_SERIALS = {
    "SerialNumber": "BodySerialNumber",
    "BodySerialNumber": "BodySerialNumber",
    "LensSerialNumber": "LensSerialNumber",
}


@dataclass(frozen=True)
class PrivateMetadata:
    """``gps``: (latitude, longitude) in degrees; ``names`` and ``serials``: field name -> value (EXIF names)."""

    gps: tuple[float, float] | None = None
    names: dict[str, str] = field(default_factory=dict)
    serials: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self.gps is None and not self.names and not self.serials


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.replace("\x00", " ").split())
    if not cleaned or cleaned.upper() in ("N/A", "NONE", "UNKNOWN"):
        return None
    return cleaned[:MAX_VALUE_CHARS]


def read_private_metadata(source: SourceFile) -> PrivateMetadata:
    """The GPS position, names and serial numbers in ``source``'s EXIF and XMP (empty when there are none)."""
    meta = read_metadata(source)
    names: dict[str, str] = {}
    serials: dict[str, str] = {}
    try:
        with pillow_warnings(), Image.open(io.BytesIO(source.data)) as im:
            exif = im.getexif()
            for wanted, out in ((_EXIF_NAMES, names), (_EXIF_SERIALS, serials)):
                for name, (ifd, tag) in wanted.items():
                    table = exif if ifd is None else exif.get_ifd(ifd)
                    if (value := _text(table.get(tag))) is not None:
                        out[name] = value
    except Exception:  # damaged metadata: what read_metadata found still counts
        log.debug("EXIF private fields unreadable in %s", source.path, exc_info=True)
    for prop in meta.xmp:
        for wanted_xmp, out in ((_XMP_NAMES, names), (_XMP_SERIALS, serials)):
            field_name = wanted_xmp.get(prop.name)
            if field_name and field_name not in out and (found := _text(prop.value)) is not None:
                out[field_name] = found
    return PrivateMetadata(gps=meta.exif.gps, names=names, serials=serials)
