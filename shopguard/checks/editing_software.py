"""``editing-software``: which programs say they wrote or edited the file.

Looks at EXIF ``Software``, XMP ``xmp:CreatorTool``, the XMP edit history (``xmpMM:History`` /
``stEvt:softwareAgent``), PNG ``Software`` text, JPEG comments and Photoshop image resources
(APP13). Each name is matched against a table of editors and AI apps (``software_table``).

What it proves: the file passed through that program. What it cannot: what (if anything) was
changed. Resizing for upload is an "edit" too, so an ordinary editor is ``weak``; an app whose main
features generate or repaint content (豆包, 即梦, 可灵, Midjourney...) is ``moderate``. Camera firmware
strings in ``Software`` ("Ver.1.00", a phone's OS version) are not editors and give no finding.
"""

from __future__ import annotations

import re
from typing import ClassVar

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.checks.software_table import SoftwareKind, classify
from shopguard.imaging.photo_metadata import PhotoMetadata, read_metadata
from shopguard.imaging.samsung_trailer import WHERE as SAMSUNG_WHERE

XMP_NS = "http://ns.adobe.com/xap/1.0/"
STEVT_NS = "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
# Photoshop image resources that only an Adobe-style editor writes (Adobe "Photoshop File Formats
# Specification", Image Resource IDs): 0x03ED ResolutionInfo, 0x0421 VersionInfo, 0x040C thumbnail.
_EDITOR_IRB_IDS = frozenset({0x03ED, 0x0421, 0x040C, 0x0406})
_SIGNATURE = re.compile(r"^((created|edited|saved|processed|made|optimi[sz]ed) (with|by)\b|creator:)", re.IGNORECASE)
_STRENGTH = {
    SoftwareKind.AI_APP: Strength.MODERATE,
    SoftwareKind.EDITOR: Strength.WEAK,
    SoftwareKind.VENDOR: Strength.INFO,
    SoftwareKind.UNKNOWN: Strength.INFO,
}


def _irb_ids(blocks: list[bytes]) -> list[int]:
    """Resource ids in Photoshop IRB blocks ("8BIM" id name size data, each padded to even)."""
    ids: list[int] = []
    for block in blocks:
        pos = 0
        while pos + 12 <= len(block) and block[pos : pos + 4] == b"8BIM" and len(ids) < 1000:
            rid = int.from_bytes(block[pos + 4 : pos + 6], "big")
            name_len = block[pos + 6]
            pos += 6 + ((name_len + 2) & ~1)  # Pascal string, padded to an even length
            size = int.from_bytes(block[pos : pos + 4], "big")
            pos += 4 + size + (size & 1)
            ids.append(rid)
    return ids


def software_claims(meta: PhotoMetadata) -> list[tuple[str, str]]:
    """(field, value) of every place that names a program, in a stable order."""
    claims: list[tuple[str, str]] = []
    if software := meta.exif.text.get("Software"):
        claims.append(("EXIF Software", software))
    for prop in meta.xmp:
        if prop.namespace == XMP_NS and prop.name == "CreatorTool":
            claims.append(("XMP xmp:CreatorTool", prop.value))
        elif prop.namespace == STEVT_NS and prop.name == "softwareAgent":
            claims.append(("XMP xmpMM:History stEvt:softwareAgent", prop.value))
    for entry in meta.texts:
        if entry.where == SAMSUNG_WHERE and entry.key == "PhotoEditor_Re_Edit_Data":
            claims.append(('Samsung trailer "PhotoEditor_Re_Edit_Data"', "Samsung Gallery photo editor"))
        # A comment is free text ("imagen", "snow" are ordinary words): only read it when it is a
        # program's own signature ("Created with GIMP", "CREATOR: gd-jpeg ...").
        if entry.key == "Software" or (entry.key == "comment" and _SIGNATURE.match(entry.value.strip())):
            claims.append((f"{entry.where} {entry.key}", entry.value[:200]))
    return claims


@register
class EditingSoftwareCheck:
    id: ClassVar[str] = "editing-software"
    order: ClassVar[int] = 50

    def run(self, ctx: CheckContext) -> list[Finding]:
        meta = read_metadata(ctx.source)
        findings: list[Finding] = []
        seen: set[str] = set()
        for field, value in software_claims(meta):
            match = classify(value)
            if match.kind is SoftwareKind.FIRMWARE or (
                match.kind is SoftwareKind.UNKNOWN and not field.startswith("EXIF")
            ):
                continue  # camera firmware, or an unrecognised free-text comment: not a program trace
            if match.name in seen:
                continue
            seen.add(match.name)
            strength = _STRENGTH[match.kind]
            key = {SoftwareKind.AI_APP: "ai_app", SoftwareKind.EDITOR: "editor", SoftwareKind.VENDOR: "vendor"}.get(
                match.kind, "unknown"
            )
            findings.append(
                Finding(
                    self.id,
                    Category.EDITING_SOFTWARE,
                    strength,
                    f"finding.software.{key}.title",
                    "finding.software.detail",
                    fields={"name": match.name, "field": field, "value": value},
                    evidence={"field": field, "value": value, "program": match.name, "kind": match.kind.value},
                    limits_key="finding.software.limits" if strength is not Strength.INFO else None,
                )
            )
        ids = _irb_ids(meta.container.irb)
        editor_ids = sorted(set(ids) & _EDITOR_IRB_IDS)
        if editor_ids and "Adobe Photoshop" not in seen:
            listed = ", ".join(f"0x{i:04X}" for i in editor_ids)
            findings.append(
                Finding(
                    self.id,
                    Category.EDITING_SOFTWARE,
                    Strength.WEAK,
                    "finding.software.irb.title",
                    "finding.software.irb.detail",
                    fields={"ids": listed},
                    evidence={"field": "JPEG APP13 Photoshop 3.0", "resource_ids": [f"0x{i:04X}" for i in ids]},
                    limits_key="finding.software.limits",
                )
            )
        return findings
