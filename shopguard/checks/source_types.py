"""IPTC Digital Source Type terms and what each says about AI (not a check; shared by two checks).

Vocabulary: IPTC NewsCodes "digitalsourcetype" (https://cv.iptc.org/newscodes/digitalsourcetype/),
used both by IPTC Photo Metadata (Iptc4xmpExt:DigitalSourceType) and by C2PA actions.
"""

from __future__ import annotations

from shopguard.checks.findings import Strength

IPTC_EXT_NAMESPACE = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"

# term -> (strength as an AI label, catalogue key naming what it means)
AI_SOURCE_TYPES: dict[str, Strength] = {
    # "Created using a model trained on sampled content" (text-to-image and the like).
    "trainedAlgorithmicMedia": Strength.STRONG,
    # "Mix of captured and AI-generated content": an AI-edited real photo (generative fill), the
    # refund-fraud case.
    "compositeWithTrainedAlgorithmicMedia": Strength.STRONG,
    # "Created by an algorithm without sampled training data" (procedural, not a camera).
    "algorithmicMedia": Strength.MODERATE,
    # "Composite that includes synthetic elements".
    "compositeSynthetic": Strength.MODERATE,
    # "Edited using AI/algorithmic enhancement" (e.g. AI denoise, upscaling): content not generated.
    "algorithmicallyEnhanced": Strength.WEAK,
}
NON_AI_SOURCE_TYPES = frozenset(
    {
        "digitalCapture",
        "computationalCapture",
        "negativeFilm",
        "positiveFilm",
        "print",
        "humanEdits",
        "compositeCapture",
        "screenCapture",
        "digitalArt",
        "virtualRecording",
        "dataDrivenMedia",
        "minorHumanEdits",
        "softwareImage",
        "digitalCreation",
    }
)


def source_type_term(value: str) -> str:
    """The term of a Digital Source Type URI (or a bare term), e.g. ``trainedAlgorithmicMedia``."""
    return value.strip().rstrip("/").rsplit("/", 1)[-1]


def title_key(term: str) -> str:
    """Catalogue key of a finding title saying in plain words what ``term`` means (field ``term``)."""
    if term in AI_SOURCE_TYPES:
        return f"finding.source_type.{term}"
    return "finding.source_type.non_ai" if term in NON_AI_SOURCE_TYPES else "finding.source_type.other"
