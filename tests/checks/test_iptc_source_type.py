"""IPTC DigitalSourceType: AI terms are labels of the right strength; digitalCapture is not AI."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopguard.checks.findings import Category, Strength
from shopguard.checks.iptc_source_type import IptcSourceTypeCheck
from tests.checks.metadata_support import jpeg_with_xmp, run_check, xmp_packet

NS = 'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
URI = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def _file(tmp_path: Path, inner: str) -> Path:
    path = tmp_path / "iptc.jpg"
    path.write_bytes(jpeg_with_xmp(xmp_packet(inner, NS)))
    return path


@pytest.mark.parametrize(
    ("term", "strength"),
    [
        ("trainedAlgorithmicMedia", Strength.STRONG),
        ("compositeWithTrainedAlgorithmicMedia", Strength.STRONG),
        ("algorithmicMedia", Strength.MODERATE),
        ("compositeSynthetic", Strength.MODERATE),
        ("digitalCapture", Strength.INFO),
    ],
)
def test_source_type_strengths(term: str, strength: Strength, tmp_path: Path) -> None:
    path = _file(tmp_path, f'<rdf:Description rdf:about="" Iptc4xmpExt:DigitalSourceType="{URI}{term}"/>')
    findings = run_check(IptcSourceTypeCheck(), path)
    assert [(f.category, f.strength) for f in findings] == [(Category.AI_LABEL, strength)]
    assert f"{URI}{term}" in findings[0].detail("en")


def test_element_form_and_ai_system_fields(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        '<rdf:Description rdf:about="">'
        f"<Iptc4xmpExt:DigitalSourceType>{URI}trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>"
        "<Iptc4xmpExt:AISystemUsed>Example Image Model</Iptc4xmpExt:AISystemUsed>"
        "</rdf:Description>",
    )
    findings = run_check(IptcSourceTypeCheck(), path)
    assert [f.strength for f in findings] == [Strength.STRONG, Strength.STRONG]
    assert "Example Image Model" in findings[1].title("en")
