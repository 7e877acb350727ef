"""Finding and decoding China's GB 45438-2025 implicit AIGC label (not a check; used by ``aigc-label``).

GB 45438-2025 《网络安全技术 人工智能生成合成内容标识方法》 (mandatory from 2025-09-01) puts a
metadata item ``AIGC`` whose value is JSON with the fields below. In image files it is an XMP property
in the namespace ``http://www.tc260.org.cn/ns/AIGC/1.0/`` (any prefix); writers also put the same JSON
into PNG text chunks keyed ``AIGC`` and into EXIF UserComment. A label only counts when the value
parses as JSON with these fields: text that merely mentions "AIGC" is not a label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shopguard.imaging.json_text import parse_json_text
from shopguard.imaging.photo_metadata import PhotoMetadata

AIGC_NAMESPACE = "http://www.tc260.org.cn/ns/AIGC/1.0"
FIELDS = ("Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID", "ReservedCode2")
MAX_LABEL_CHARS = 64 * 1024
# Unified social credit code (GB 32100-2015): 18 characters from this 31-letter alphabet (no I, O, Z,
# S, V), the 18th a check character over the first 17 with these weights (GB 32100-2015 §5).
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CODE_PATTERN = re.compile(r"^00[0-9A-Z]{2}[0-9A-HJ-NP-RTUWXY]{18}[0-9A-Z]{5}$")


@dataclass(frozen=True)
class AigcLabel:
    """One AIGC label as found: where it sits and its fields (strings, as written)."""

    where: str
    fields: dict[str, str]

    @property
    def label(self) -> str:
        return self.fields.get("Label", "")


def _normalise(data: Any) -> dict[str, str] | None:
    """The label fields of a parsed JSON value, unwrapping ``{"AIGC": {...}}``; None if not a label."""
    if isinstance(data, dict) and len(data) == 1:
        ((key, inner),) = data.items()
        if key.upper() == "AIGC":
            if isinstance(inner, str):
                inner = _json(inner)
            data = inner
    if not isinstance(data, dict):
        return None
    by_lower = {str(k).lower(): v for k, v in data.items()}
    fields = {
        name: str(by_lower[name.lower()])
        for name in FIELDS
        if name.lower() in by_lower and by_lower[name.lower()] is not None
    }
    # A label needs the Label field or the producer code; anything else is some other JSON.
    if "Label" not in fields and "ContentProducer" not in fields:
        return None
    return fields


def _json(value: str) -> Any:
    return parse_json_text(value.strip(), MAX_LABEL_CHARS)


def find_labels(meta: PhotoMetadata) -> list[AigcLabel]:
    """Every AIGC label in XMP, PNG text chunks and EXIF text fields."""
    found: list[AigcLabel] = []
    struct_fields: dict[str, str] = {}
    for prop in meta.xmp:
        if prop.namespace.rstrip("/") != AIGC_NAMESPACE:
            continue
        if prop.name.upper() == "AIGC":
            fields = _normalise(_json(prop.value))
            if fields:
                found.append(AigcLabel(f"XMP {{{prop.namespace}}}AIGC", fields))
        elif prop.name in FIELDS:  # label written as an XMP struct instead of a JSON string
            struct_fields[prop.name] = prop.value
    if struct_fields and not found and ("Label" in struct_fields or "ContentProducer" in struct_fields):
        found.append(AigcLabel(f"XMP {{{AIGC_NAMESPACE}/}}AIGC (struct)", struct_fields))
    for entry in meta.texts:
        if entry.key.upper() == "AIGC" and (fields := _normalise(_json(entry.value))):
            found.append(AigcLabel(f"{entry.where} {entry.key}", fields))
    for name in ("UserComment", "ImageDescription", "XPComment"):
        value = meta.exif.text.get(name)
        if value and "{" in value and (fields := _normalise(_json(value))):
            found.append(AigcLabel(f"EXIF {name}", fields))
    return found


def uscc_check_ok(code: str) -> bool:
    """True when an 18-character unified social credit code has a valid check character."""
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return False
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def decode_service_code(code: str) -> dict[str, str] | None:
    """Split a 27-character producer/propagator code into its parts, or None if it is not one.

    Layout (as the label's implementers document it): ``00`` + subject type (1) + binding type (1)
    + unified social credit code (18) + service type (1) + model/service code (4). We show the parts
    as written and check the credit code's check character; we do not name the company, because we
    have no sourced registry table to look it up offline.
    """
    code = code.strip().upper()
    if not _CODE_PATTERN.match(code):
        return None
    credit = code[4:22]
    return {
        "prefix": code[:2],
        "subject_type": code[2],
        "binding_type": code[3],
        "credit_code": credit,
        "credit_code_valid": "yes" if uscc_check_ok(credit) else "no",
        "service_type": code[22],
        "model_code": code[23:27],
    }
