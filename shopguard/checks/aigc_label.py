"""``aigc-label``: China's GB 45438-2025 implicit AI-content label in the file's metadata.

Since 2025-09-01 AI generation services in China must write this label into the files they produce
(《人工智能生成合成内容标识办法》, CAC 2025, and GB 45438-2025). ``Label`` "1" means the service
declares the content AI-generated (strong); "2" possibly and "3" suspected AI-generated (weaker).
Removing or altering such a label is itself prohibited (标识办法 第十条), which the finding says.
"""

from __future__ import annotations

from typing import Any, ClassVar

from shopguard.checks.aigc_codes import AigcLabel, decode_service_code, find_labels
from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.imaging.photo_metadata import read_metadata

_STRENGTH = {"1": Strength.STRONG, "2": Strength.MODERATE, "3": Strength.WEAK}


def _codes_text(label: AigcLabel) -> tuple[str, dict[str, Any]]:
    """A short "field = value (parts)" text for producer/propagator, and the decoded parts."""
    parts: list[str] = []
    decoded: dict[str, Any] = {}
    for name in ("ContentProducer", "ContentPropagator"):
        value = label.fields.get(name)
        if not value:
            continue
        code = decode_service_code(value)
        if code:
            decoded[name] = code
            # Language-neutral: the detail text explains the order of the parts in each language.
            check = "GB32100:ok" if code["credit_code_valid"] == "yes" else "GB32100:bad"
            parts.append(
                f"{name}={value} [{code['prefix']} | {code['subject_type']} | {code['binding_type']} |"
                f" {code['credit_code']} ({check}) | {code['service_type']} | {code['model_code']}]"
            )
        else:
            parts.append(f"{name}={value}")
    return ("; ".join(parts) or "-"), decoded


@register
class AigcLabelCheck:
    id: ClassVar[str] = "aigc-label"
    order: ClassVar[int] = 40

    def run(self, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for label in find_labels(read_metadata(ctx.source)):
            value = label.label.strip()
            strength = _STRENGTH.get(value, Strength.WEAK)
            codes, decoded = _codes_text(label)
            findings.append(
                Finding(
                    self.id,
                    Category.AI_LABEL,
                    strength,
                    "finding.aigc.title",
                    f"finding.aigc.detail.{value if value in _STRENGTH else 'other'}",
                    fields={
                        "where": label.where,
                        "label": value or "-",
                        "produce_id": label.fields.get("ProduceID", "-"),
                        "codes": codes,
                    },
                    evidence={"where": label.where, "fields": dict(label.fields), "decoded_codes": decoded},
                    limits_key="finding.aigc.limits",
                )
            )
        return findings
