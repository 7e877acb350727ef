"""``camera-metadata``: camera make/model, GPS presence, and whether metadata was readable at all.

All ``info``: they describe the file. Absence proves nothing (chat apps and platforms strip EXIF).
GPS coordinates are private: the finding's text only says a location is present; the coordinates
sit in ``evidence["gps"]`` and are listed in ``evidence["private_fields"]``, so the report leaves
them out unless the seller opts in (Settings.include_gps_in_report).
"""

from __future__ import annotations

from typing import Any, ClassVar

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.imaging.photo_metadata import read_metadata

PRIVATE_FIELDS_KEY = "private_fields"
"""Evidence key listing evidence entries a report must omit unless the seller opts in."""


@register
class CameraMetadataCheck:
    id: ClassVar[str] = "camera-metadata"
    order: ClassVar[int] = 30

    def run(self, ctx: CheckContext) -> list[Finding]:
        meta = read_metadata(ctx.source)
        findings: list[Finding] = []
        if meta.problems:
            findings.append(
                Finding(
                    self.id,
                    Category.METADATA,
                    Strength.INFO,
                    "finding.metadata.unreadable.title",
                    "finding.metadata.unreadable.detail",
                    fields={"reason": "; ".join(meta.problems)[:300]},
                    evidence={"problems": list(meta.problems)},
                )
            )
        text = meta.exif.text
        camera = meta.exif.camera
        if camera:
            findings.append(
                Finding(
                    self.id,
                    Category.METADATA,
                    Strength.INFO,
                    "finding.metadata.camera.title",
                    "finding.metadata.camera.detail",
                    fields={"camera": camera, "make": text.get("Make", "-"), "model": text.get("Model", "-")},
                    evidence={"Make": text.get("Make"), "Model": text.get("Model"), "LensModel": text.get("LensModel")},
                )
            )
        if meta.exif.gps is not None:
            lat, lon = meta.exif.gps
            evidence: dict[str, Any] = {
                "field": "EXIF GPSLatitude/GPSLongitude",
                "gps": {"latitude": round(lat, 6), "longitude": round(lon, 6)},
                PRIVATE_FIELDS_KEY: ["gps"],
            }
            findings.append(
                Finding(
                    self.id,
                    Category.METADATA,
                    Strength.INFO,
                    "finding.metadata.gps.title",
                    "finding.metadata.gps.detail",
                    evidence=evidence,
                )
            )
        if meta.is_empty and not meta.problems:
            findings.append(
                Finding(
                    self.id,
                    Category.METADATA,
                    Strength.INFO,
                    "finding.metadata.none.title",
                    "finding.metadata.none.detail",
                    fields={"format": meta.container.format},
                )
            )
        return findings
