"""One call that reads all the metadata of a photo: container items, parsed XMP and EXIF fields.

Every metadata check starts from ``read_metadata(source)``. It never raises: anything malformed is
listed in ``problems`` (shown as an ``info`` "metadata unreadable" finding), and the rest is still
read. The result is cached for the last two sources, so the metadata checks of one photo parse it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from shopguard.imaging.containers import ContainerMetadata, TextEntry, read_container
from shopguard.imaging.decode import SourceFile
from shopguard.imaging.exif_basics import ExifFields, exif_fields
from shopguard.imaging.xmp import XmpError, XmpProperty, parse_xmp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhotoMetadata:
    """What the file says about itself.

    Attributes:
        container: raw items found in the container (format, EXIF blocks, XMP text, PNG text...).
        exif: decoded fields of the first readable EXIF block (empty when none).
        xmp: properties of every readable XMP packet.
        problems: what could not be read, in plain words.
    """

    container: ContainerMetadata
    exif: ExifFields = field(default_factory=ExifFields)
    xmp: tuple[XmpProperty, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def texts(self) -> list[TextEntry]:
        return self.container.texts

    @property
    def is_empty(self) -> bool:
        """True when the file carries no EXIF, XMP, text, IRB or JUMBF at all."""
        c = self.container
        return not (c.exif or c.xmp or c.texts or c.irb or c.jumbf_bytes)


@lru_cache(maxsize=2)  # the key holds the file bytes: keep only the photo(s) being checked
def read_metadata(source: SourceFile) -> PhotoMetadata:
    """Read and decode every metadata item of ``source`` (never raises)."""
    container = read_container(source.data)
    problems = list(container.problems)
    exif = ExifFields()
    for raw in container.exif:
        try:
            exif = exif_fields(raw)
            break
        except ValueError as exc:
            problems.append(str(exc))
    props: list[XmpProperty] = []
    for packet in container.xmp:
        try:
            props.extend(parse_xmp(packet))
        except XmpError as exc:
            problems.append(str(exc))
    if problems:
        log.info("metadata problems in %s: %s", source.path, problems)
    return PhotoMetadata(container=container, exif=exif, xmp=tuple(props), problems=tuple(problems))
