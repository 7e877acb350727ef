"""``iptc-source-type``: the IPTC Digital Source Type and IPTC 2025.1 AI fields in XMP.

Google ("Made with Google AI"), Adobe Firefly, Meta and others write
``Iptc4xmpExt:DigitalSourceType`` = ``.../trainedAlgorithmicMedia`` (generated) or
``.../compositeWithTrainedAlgorithmicMedia`` (a real photo edited with generative AI).
``digitalCapture`` says "taken with a camera" and is never a suspicion. The IPTC 2025.1 fields
``AISystemUsed`` / ``AIPromptInformation`` name the AI system and prompt.
"""

from __future__ import annotations

from typing import ClassVar

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.checks.source_types import (
    AI_SOURCE_TYPES,
    IPTC_EXT_NAMESPACE,
    source_type_term,
    title_key,
)
from shopguard.imaging.photo_metadata import read_metadata

_AI_FIELDS = ("AISystemUsed", "AISystemVersionUsed", "AIPromptInformation", "AIPromptWriterName")


def _is_iptc_ext(namespace: str) -> bool:
    return namespace.rstrip("/") == IPTC_EXT_NAMESPACE.rstrip("/")


@register
class IptcSourceTypeCheck:
    id: ClassVar[str] = "iptc-source-type"
    order: ClassVar[int] = 42

    def run(self, ctx: CheckContext) -> list[Finding]:
        meta = read_metadata(ctx.source)
        findings: list[Finding] = []
        seen: set[str] = set()
        for prop in meta.xmp:
            if not _is_iptc_ext(prop.namespace) or prop.name != "DigitalSourceType":
                continue
            term = source_type_term(prop.value)
            if term in seen:
                continue
            seen.add(term)
            strength = AI_SOURCE_TYPES.get(term, Strength.INFO)
            findings.append(
                Finding(
                    self.id,
                    Category.AI_LABEL,
                    strength,
                    title_key(term),
                    "finding.iptc.source_type.detail",
                    fields={"value": prop.value, "term": term},
                    evidence={"field": "XMP Iptc4xmpExt:DigitalSourceType", "value": prop.value},
                    limits_key="finding.iptc.limits" if strength is not Strength.INFO else None,
                )
            )
        ai_fields = {p.name: p.value for p in meta.xmp if _is_iptc_ext(p.namespace) and p.name in _AI_FIELDS}
        if ai_fields:
            listed = "; ".join(f'Iptc4xmpExt:{k} = "{v[:200]}"' for k, v in ai_fields.items())
            findings.append(
                Finding(
                    self.id,
                    Category.AI_LABEL,
                    Strength.STRONG,
                    "finding.iptc.ai_fields.title",
                    "finding.iptc.ai_fields.detail",
                    fields={"fields": listed, "system": ai_fields.get("AISystemUsed", "-")},
                    evidence={"fields": ai_fields},
                    limits_key="finding.iptc.limits",
                )
            )
        return findings
