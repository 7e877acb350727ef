"""Findings: what a check saw, how strong it is, and the evidence it rests on.

Categories, strengths and verdict levels are part of the public JSON contract (docs/cli.md):
never rename or drop one. Texts are catalogue keys plus fields, rendered in the reader's language
only when shown, so the app, the CLI and the PDF say exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shopguard.i18n import text
from shopguard.i18n.local_time import format_time, has_zone, is_iso_time


def shown_fields(fields: Mapping[str, Any], lang: str, *, with_zone: bool = False) -> dict[str, Any]:
    """A finding's text fields as a person reads them: stored ISO times become local time in ``lang``'s
    format (the fields themselves, and so the JSON, keep ISO).

    A phrase inside a field (``i18n.phrase``: a sentence part such as "your listing photo existed by {date}")
    is shown the same way, but only its times that carry a zone are converted: there a time without one is a
    camera's clock reading, which has no zone to convert from. ``with_zone`` adds the UTC offset ("UTC+08:00"),
    for documents read on another machine (the PDF report).
    """
    return {k: _shown(v, lang, with_zone, nested=False) for k, v in fields.items()}


def _shown(value: Any, lang: str, with_zone: bool, *, nested: bool) -> Any:
    if isinstance(value, Mapping) and isinstance(value.get("text_key"), str):
        inner = {k: _shown(v, lang, with_zone, nested=True) for k, v in dict(value.get("fields") or {}).items()}
        return {"text_key": value["text_key"], "fields": inner}
    if is_iso_time(value) and (not nested or has_zone(value)):
        return format_time(value, lang, with_zone=with_zone)
    return value


class Strength(StrEnum):
    """How much a finding proves. ``info`` is context, never a suspicion."""

    INFO = "info"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"

    @property
    def rank(self) -> int:
        return _RANK[self.value]


class VerdictLevel(StrEnum):
    """The overall weight of evidence that a photo is not a genuine, unedited photo."""

    NONE = "none"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"

    @property
    def rank(self) -> int:
        return _RANK[self.value]


_RANK = {"none": 0, "info": 0, "weak": 1, "moderate": 2, "strong": 3}


class Category(StrEnum):
    """The closed list of finding categories (public contract)."""

    LIBRARY_DERIVED = "library-derived"
    REUSED_PHOTO = "reused-photo"
    AI_LABEL = "ai-label"
    AI_PIXELS = "ai-pixels"
    EDITING_SOFTWARE = "editing-software"
    CAPTURE_TIME = "capture-time"
    THUMBNAIL_MISMATCH = "thumbnail-mismatch"
    COMPRESSION = "compression"
    NOISE = "noise"
    COPY_MOVE = "copy-move"
    METADATA = "metadata"
    INPUT = "input"


Region = tuple[int, int, int, int]
"""``(x, y, w, h)`` in the photo's pixel coordinates after EXIF orientation."""


@dataclass(frozen=True)
class EvidenceImage:
    """A picture that supports a finding (an annotated copy; originals are never altered).

    ``kind`` is a stable id: ``side-by-side``, ``changed-outline``, ``changed-zoom``, ``heatmap``, ``listing``,
    ``thumbnail``, ``ela``, ``noise``...; ``path`` is absolute; ``caption_key`` is a catalogue key.
    """

    kind: str
    path: str
    caption_key: str

    def to_json(self, lang: str = "en") -> dict[str, str]:
        """JSON shape: kind, path, caption (rendered) and caption_key."""
        return {
            "kind": self.kind,
            "path": self.path,
            "caption": text(self.caption_key, lang),
            "caption_key": self.caption_key,
        }


@dataclass(frozen=True)
class Finding:
    """One observation about one photo.

    Args:
        check: id of the check that made it (kebab-case, stable).
        category: one of ``Category``.
        strength: how much it proves.
        title_key / detail_key: catalogue keys; ``fields`` fills their placeholders. The detail
            must name the exact field and value (or measurement) the finding rests on.
        regions: boxes in oriented photo coordinates.
        library_photo: the library photo's path as added, for library-derived findings.
        evidence: JSON-safe measured values (inlier counts, tag values, ...).
        images: pictures for the app and the report.
        limits_key: catalogue key saying what this finding cannot prove.
    """

    check: str
    category: Category
    strength: Strength
    title_key: str
    detail_key: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    regions: Sequence[Region] = ()
    library_photo: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    images: Sequence[EvidenceImage] = ()
    limits_key: str | None = None

    def title(self, lang: str = "en", *, with_zone: bool = False) -> str:
        return text(self.title_key, lang, **shown_fields(self.fields, lang, with_zone=with_zone))

    def detail(self, lang: str = "en", *, with_zone: bool = False) -> str:
        return text(self.detail_key, lang, **shown_fields(self.fields, lang, with_zone=with_zone))

    def limits(self, lang: str = "en", *, with_zone: bool = False) -> str | None:
        if not self.limits_key:
            return None
        return text(self.limits_key, lang, **shown_fields(self.fields, lang, with_zone=with_zone))

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The public JSON shape (docs/cli.md); extra keys may be added, never removed."""
        return {
            "check": self.check,
            "category": self.category.value,
            "strength": self.strength.value,
            "title": self.title(lang),
            "detail": self.detail(lang),
            "regions": [list(r) for r in self.regions],
            "library_photo": self.library_photo,
            "evidence": dict(self.evidence),
            "images": [img.to_json(lang) for img in self.images],
            "limits": self.limits(lang),
            "limits_key": self.limits_key,
            "title_key": self.title_key,
            "detail_key": self.detail_key,
            "fields": dict(self.fields),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """Rebuild a finding stored by ``to_json`` (used when reopening a case)."""
        return cls(
            check=data["check"],
            category=Category(data["category"]),
            strength=Strength(data["strength"]),
            title_key=data["title_key"],
            detail_key=data["detail_key"],
            fields=dict(data.get("fields") or {}),
            regions=tuple((int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in data.get("regions") or ()),
            library_photo=data.get("library_photo"),
            evidence=dict(data.get("evidence") or {}),
            images=tuple(
                EvidenceImage(i["kind"], i["path"], i.get("caption_key", "")) for i in data.get("images") or ()
            ),
            limits_key=data.get("limits_key"),
        )
