"""Plain records for what a container holds: the parsers fill them, the checks read them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TextEntry:
    """A text item stored by the container: PNG text chunk, JPEG comment, ...

    ``where`` names the carrier ("png:tEXt", "png:iTXt", "jpeg:COM"), ``key`` the keyword.
    """

    where: str
    key: str
    value: str


@dataclass
class ContainerMetadata:
    """Everything metadata-like found in one file (raw, not interpreted).

    Attributes:
        format: "jpeg", "png", "webp", "heif" or "unknown".
        exif: raw EXIF blocks, each starting at the TIFF header ("II*\\0" / "MM\\0*").
        xmp: XMP packets as text (extended XMP reassembled into its own packet).
        texts: PNG text chunks and JPEG comments.
        irb: Photoshop image-resource blocks (APP13 payload after "Photoshop 3.0").
        jumbf_bytes: total size of JUMBF / C2PA boxes seen (0 = none).
        quant_tables: JPEG quantisation tables by table id, 64 values in zig-zag order.
        frame_size: (width, height) from the JPEG SOF / PNG IHDR, if read.
        problems: what was malformed, in plain words for the log and the evidence.
    """

    format: str = "unknown"
    exif: list[bytes] = field(default_factory=list)
    xmp: list[str] = field(default_factory=list)
    texts: list[TextEntry] = field(default_factory=list)
    irb: list[bytes] = field(default_factory=list)
    jumbf_bytes: int = 0
    quant_tables: dict[int, list[int]] = field(default_factory=dict)
    frame_size: tuple[int, int] | None = None
    problems: list[str] = field(default_factory=list)


def decode_xml_bytes(raw: bytes) -> str:
    """XMP is UTF-8 by specification, but some writers use Latin-1; never fail on either."""
    raw = raw.rstrip(b"\x00")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
