"""``generator-metadata``: generation parameters that AI image tools write into their files.

Each rule names the tool, the exact field it looks at and what must be in it. Rules need the tool's
own structure (A1111's "Steps: ... Sampler: ..." line, ComfyUI's node graph JSON, NovelAI's Software
field...), so a caption that only mentions "AI" never matches. Such parameters are written by the
generator itself, never by a camera, so a match is ``strong``. Formats follow the tools' own writers
(AUTOMATIC1111 ``modules/images.py``, ComfyUI ``nodes.py`` SaveImage, InvokeAI, Fooocus, NovelAI,
SwarmUI, Civitai, Draw Things) as documented by sd-parsers and sd-metadata. Parameters the
stealth-pnginfo writers hide in the pixels' lowest bits (``imaging.stealth_text``) go through the
same rules, with the carrier named in the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from shopguard.checks.a1111_infotext import parse_infotext, writer_name
from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.imaging.json_text import parse_json_text
from shopguard.imaging.metadata_records import TextEntry
from shopguard.imaging.photo_metadata import PhotoMetadata, read_metadata
from shopguard.imaging.samsung_trailer import WHERE as SAMSUNG_WHERE
from shopguard.imaging.stealth_text import stealth_text

MAX_EXCERPT_CHARS = 160
_GEN_AI_TYPE = re.compile(r'"genAIType"\s*:\s*"?(\d+)')
_MJ_JOB = re.compile(r"Job ID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class GeneratorHit:
    """One match: which tool, from which field, and an excerpt of the value."""

    generator: str
    field: str
    value: str
    strength: Strength = Strength.STRONG
    limits_key: str = "finding.generator.limits"
    in_pixels: bool = False
    """Read from the pixels' lowest bits (stealth pnginfo), not from the file's metadata."""


def _json(value: str) -> Any:
    return parse_json_text(value)


def _is_comfy_graph(value: str) -> bool:
    data = _json(value)
    if isinstance(data, dict) and isinstance(data.get("prompt"), dict):
        data = data["prompt"]
    if isinstance(data, dict):
        if isinstance(data.get("nodes"), list):  # UI "workflow"
            return True
        return any(isinstance(n, dict) and "class_type" in n for n in data.values())  # API "prompt"
    return False


def _a1111_kind(value: str) -> str | None:
    """Which writer of the A1111 infotext family made a text, or None if it is not one.

    Parsed by the family's structure (``a1111_infotext``), so forks that add, drop or reorder
    fields (SD.Next, Forge, Fooocus's "a1111" scheme) are read as well as AUTOMATIC1111 itself.
    """
    info = parse_infotext(value)
    return writer_name(info) if info is not None else None


def _text_rules() -> list[tuple[Callable[[str, str], bool], str]]:
    """(predicate(key, value), generator) for PNG text chunks; the first match per key wins."""
    return [
        (lambda k, v: k == "parameters" and '"fooocus' in v.lower(), "Fooocus"),
        (lambda k, v: k == "fooocus_scheme", "Fooocus"),
        (lambda k, v: k == "parameters" and "sui_image_params" in v, "SwarmUI"),
        (lambda k, v: k == "parameters" and _a1111_kind(v) is not None, "A1111"),
        (lambda k, v: k in ("prompt", "workflow") and _is_comfy_graph(v), "ComfyUI"),
        (lambda k, v: k == "use_stable_diffusion_model", "Easy Diffusion"),
        (lambda k, v: k in ("invokeai_metadata", "invokeai_graph", "sd-metadata", "Dream"), "InvokeAI"),
        (lambda k, v: k == "Software" and v.strip().startswith("NovelAI"), "NovelAI"),
        (lambda k, v: k == "Source" and v.strip().startswith(("NovelAI", "Stable Diffusion")), "NovelAI"),
        (lambda k, v: k in ("Description", "Comment") and _MJ_JOB.search(v) is not None, "Midjourney"),
    ]


def _exif_rules(meta: PhotoMetadata) -> list[GeneratorHit]:
    hits: list[GeneratorHit] = []
    text = meta.exif.text
    comment = text.get("UserComment", "")
    if comment:
        kind = _a1111_kind(comment)
        if "sui_image_params" in comment:
            hits.append(GeneratorHit("SwarmUI", "EXIF UserComment", comment))
        elif _is_comfy_graph(comment):
            hits.append(GeneratorHit("ComfyUI", "EXIF UserComment", comment))
        elif kind:
            hits.append(GeneratorHit(kind, "EXIF UserComment", comment))
        elif '"n_samples"' in comment or ('"uc"' in comment and '"steps"' in comment):
            hits.append(GeneratorHit("NovelAI", "EXIF UserComment", comment))
    for name in ("Make", "Model", "ImageDescription"):  # ComfyUI SaveAnimatedWEBP: "prompt:{...}"
        value = text.get(name, "")
        head, _, rest = value.partition(":")
        if head.lower() in ("prompt", "workflow") and _is_comfy_graph(rest):
            hits.append(GeneratorHit("ComfyUI", f"EXIF {name}", value))
    software = text.get("Software", "")
    if software.startswith("NovelAI"):
        hits.append(GeneratorHit("NovelAI", "EXIF Software", software))
    for prop in meta.xmp:
        if prop.name == "CreatorTool" and "draw things" in prop.value.lower():
            hits.append(GeneratorHit("Draw Things", "XMP xmp:CreatorTool", prop.value))
        if prop.name in ("Credit", "credit") and "made with google ai" in prop.value.lower():
            hits.append(GeneratorHit("Google AI", f"XMP {prop.name}", prop.value))
    return hits


def _samsung_rules(meta: PhotoMetadata) -> list[GeneratorHit]:
    """Galaxy AI marks in the Samsung SEF trailer. Samsung does not document them, so ``moderate``:
    ``PEg_Info`` is the block Galaxy AI generative editing writes (ExifTool decodes its
    ``genImageVersion``); ``genAIType`` != 0 in ``PhotoEditor_Re_Edit_Data`` marks a generative tool."""
    hits: list[GeneratorHit] = []
    for entry in meta.texts:
        if entry.where != SAMSUNG_WHERE:
            continue
        if entry.key == "PEg_Info":
            hits.append(
                GeneratorHit(
                    "Samsung Galaxy AI (generative edit)",
                    f'Samsung trailer "{entry.key}"',
                    entry.value or "(binary)",
                    Strength.MODERATE,
                    "finding.generator.samsung.limits",
                )
            )
        elif entry.key == "PhotoEditor_Re_Edit_Data" and (m := _GEN_AI_TYPE.search(entry.value)) and m.group(1) != "0":
            hits.append(
                GeneratorHit(
                    "Samsung Galaxy AI (generative edit)",
                    f'Samsung trailer "{entry.key}"',
                    entry.value,
                    Strength.MODERATE,
                    "finding.generator.samsung.limits",
                )
            )
    return hits


def find_generators(meta: PhotoMetadata, hidden: Sequence[TextEntry] = ()) -> list[GeneratorHit]:
    """Every generator signature in the file's text metadata and in ``hidden`` text read from the
    pixels (``stealth_text``), one hit per tool; the same rules and strength apply to both."""
    hits: list[GeneratorHit] = []
    rules = _text_rules()
    tagged = [(entry, False) for entry in meta.texts] + [(entry, True) for entry in hidden]
    for entry, in_pixels in tagged:
        for predicate, generator in rules:
            if predicate(entry.key, entry.value):
                name = (_a1111_kind(entry.value) or generator) if generator == "A1111" else generator
                limits = "finding.generator.stealth.limits" if in_pixels else "finding.generator.limits"
                field = f'{entry.where} "{entry.key}"'
                hits.append(GeneratorHit(name, field, entry.value, Strength.STRONG, limits, in_pixels))
                break
    hits.extend(_exif_rules(meta))
    hits.extend(_samsung_rules(meta))
    unique: dict[str, GeneratorHit] = {}
    for hit in hits:
        unique.setdefault(hit.generator, hit)
    return list(unique.values())


def _excerpt(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= MAX_EXCERPT_CHARS else flat[:MAX_EXCERPT_CHARS] + "…"


@register
class GeneratorMetadataCheck:
    id: ClassVar[str] = "generator-metadata"
    order: ClassVar[int] = 43

    def run(self, ctx: CheckContext) -> list[Finding]:
        meta = read_metadata(ctx.source)
        hits = find_generators(meta, stealth_text(ctx.source))
        return [
            Finding(
                self.id,
                Category.AI_LABEL,
                hit.strength,
                "finding.generator.title",
                "finding.generator.detail",
                fields={"generator": hit.generator, "field": hit.field, "excerpt": _excerpt(hit.value)},
                evidence=_evidence(hit),
                limits_key=hit.limits_key,
            )
            for hit in hits
        ]


def _evidence(hit: GeneratorHit) -> dict[str, object]:
    evidence: dict[str, object] = {
        "generator": hit.generator,
        "field": hit.field,
        "value_chars": len(hit.value),
        "excerpt": _excerpt(hit.value),
    }
    if hit.in_pixels:
        evidence["hidden_in_pixels"] = True
    return evidence
