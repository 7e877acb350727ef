"""``camera-metadata``: camera make/model, capture time and software tag from EXIF.

Reported as ``info``: they describe the file. Absence proves nothing (chat apps strip EXIF).
"""

from __future__ import annotations

from typing import ClassVar

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.imaging.exif_basics import read_exif_basics


@register
class CameraMetadataCheck:
    id: ClassVar[str] = "camera-metadata"
    order: ClassVar[int] = 30

    def run(self, ctx: CheckContext) -> list[Finding]:
        exif = read_exif_basics(ctx.source)
        findings: list[Finding] = []
        if "exif_error" in exif:
            findings.append(Finding(self.id, Category.METADATA, Strength.INFO,
                                    "finding.metadata.unreadable.title", "finding.metadata.unreadable.detail",
                                    fields={"reason": exif["exif_error"]}, evidence=exif))
        camera = " ".join(v for v in (exif.get("make"), exif.get("model")) if v)
        taken = exif.get("datetime_original") or exif.get("datetime")
        if camera or taken:
            findings.append(Finding(self.id, Category.METADATA, Strength.INFO,
                                    "finding.metadata.camera.title", "finding.metadata.camera.detail",
                                    fields={"camera": camera or "-", "taken": taken or "-"}, evidence=exif))
        if exif.get("software"):
            findings.append(Finding(self.id, Category.METADATA, Strength.INFO,
                                    "finding.metadata.software.title", "finding.metadata.software.detail",
                                    fields={"software": exif["software"]}, evidence={"Software": exif["software"]}))
        if not camera and not taken and not exif.get("software") and "exif_error" not in exif:
            findings.append(Finding(self.id, Category.METADATA, Strength.INFO,
                                    "finding.metadata.none.title", "finding.metadata.none.detail"))
        return findings
