"""GB 45438-2025 AIGC label: every written form is found; look-alikes are not labels."""

from __future__ import annotations

import io
import json
from pathlib import Path

import piexif
import pytest
from PIL import Image

from shopguard.checks.aigc_codes import decode_service_code, uscc_check_ok
from shopguard.checks.aigc_label import AigcLabelCheck
from shopguard.checks.findings import Category, Strength
from tests.checks.metadata_support import itxt, jpeg_with_xmp, png_with_chunks, run_check, xmp_packet

# A syntactically valid unified social credit code (check character computed per GB 32100-2015);
# it is made up, not a real company's.
CREDIT = "91110000MA01ABCDE"


def _with_check(code17: str) -> str:
    for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if uscc_check_ok(code17 + c):
            return code17 + c
    raise AssertionError("no check character")


CREDIT18 = _with_check(CREDIT)
PRODUCER = "00" + "1" + "2" + CREDIT18 + "3" + "AB12"
LABEL = {
    "Label": "1",
    "ContentProducer": PRODUCER,
    "ProduceID": "abc-123",
    "ReservedCode1": "",
    "ContentPropagator": "",
    "PropagateID": "",
    "ReservedCode2": "",
}
NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")


def _xmp_element(value: str, ns: str = NS, prefix: str = "TC260") -> str:
    return xmp_packet(
        f'<rdf:Description rdf:about=""><{prefix}:AIGC>{_attr(value)}</{prefix}:AIGC></rdf:Description>',
        f'xmlns:{prefix}="{ns}"',
    )


def _xmp_attribute(value: str, ns: str = NS, prefix: str = "aigc") -> str:
    return xmp_packet(f'<rdf:Description rdf:about="" {prefix}:AIGC="{_attr(value)}"/>', f'xmlns:{prefix}="{ns}"')


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _exif_jpeg(tmp_path: Path, comment: str) -> Path:
    exif = piexif.dump({"Exif": {piexif.ExifIFD.UserComment: b"ASCII\x00\x00\x00" + comment.encode()}})
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buf, "JPEG", exif=exif)
    return _write(tmp_path, "exif.jpg", buf.getvalue())


def _webp_xmp(tmp_path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buf, "WEBP", xmp=_xmp_attribute(json.dumps(LABEL)).encode())
    return _write(tmp_path, "w.webp", buf.getvalue())


FORMS = {
    "xmp-element": lambda t: _write(t, "a.jpg", jpeg_with_xmp(_xmp_element(json.dumps(LABEL)))),
    "xmp-attribute": lambda t: _write(t, "b.jpg", jpeg_with_xmp(_xmp_attribute(json.dumps(LABEL)))),
    "xmp-no-slash": lambda t: _write(t, "c.jpg", jpeg_with_xmp(_xmp_element(json.dumps(LABEL), NS.rstrip("/")))),
    "xmp-wrapped": lambda t: _write(t, "d.jpg", jpeg_with_xmp(_xmp_element(json.dumps({"AIGC": LABEL}), prefix="x1"))),
    "png-itxt": lambda t: _write(t, "e.png", png_with_chunks([itxt("AIGC", json.dumps(LABEL))])),
    "png-itxt-after-idat": lambda t: _write(
        t, "f.png", png_with_chunks([itxt("AIGC", json.dumps({"AIGC": LABEL}))], after_idat=True)
    ),
    "png-xmp": lambda t: _write(
        t, "g.png", png_with_chunks([itxt("XML:com.adobe.xmp", _xmp_attribute(json.dumps(LABEL)))])
    ),
    "exif-usercomment": lambda t: _exif_jpeg(t, json.dumps({"AIGC": LABEL})),
    "webp-xmp": _webp_xmp,
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_label_found_in_every_form(form: str, tmp_path: Path) -> None:
    findings = run_check(AigcLabelCheck(), FORMS[form](tmp_path))
    assert len(findings) == 1
    f = findings[0]
    assert f.category is Category.AI_LABEL and f.strength is Strength.STRONG
    assert f.evidence["fields"]["ProduceID"] == "abc-123"
    assert CREDIT18 in f.detail("en") and "Art. 10" in f.detail("en")
    assert "第十条" in f.detail("zh_CN")


@pytest.mark.parametrize(("label", "strength"), [("2", Strength.MODERATE), ("3", Strength.WEAK)])
def test_possible_and_suspected_labels_are_weaker(label: str, strength: Strength, tmp_path: Path) -> None:
    path = _write(tmp_path, "l.jpg", jpeg_with_xmp(_xmp_element(json.dumps({**LABEL, "Label": label}))))
    assert [f.strength for f in run_check(AigcLabelCheck(), path)] == [strength]


@pytest.mark.parametrize(
    "text",
    [
        "This photo is not AIGC, taken with my phone",
        '{"description": "AIGC workshop poster"}',
        "AIGC",
    ],
)
def test_text_mentioning_aigc_is_not_a_label(text: str, tmp_path: Path) -> None:
    paths = [
        _exif_jpeg(tmp_path, text),
        _write(tmp_path, "t.png", png_with_chunks([itxt("Description", text), itxt("AIGC", text)])),
        _write(
            tmp_path,
            "t.jpg",
            jpeg_with_xmp(
                xmp_packet(
                    f'<rdf:Description rdf:about="" dc:description="{_attr(text)}"/>',
                    'xmlns:dc="http://purl.org/dc/elements/1.1/"',
                )
            ),
        ),
    ]
    for path in paths:
        assert run_check(AigcLabelCheck(), path) == []


def test_other_namespace_is_not_the_label(tmp_path: Path) -> None:
    path = _write(tmp_path, "o.jpg", jpeg_with_xmp(_xmp_element(json.dumps(LABEL), "http://example.com/ns/")))
    assert run_check(AigcLabelCheck(), path) == []


def test_service_code_is_decoded() -> None:
    parts = decode_service_code(PRODUCER)
    assert parts is not None
    assert parts["credit_code"] == CREDIT18 and parts["credit_code_valid"] == "yes"
    assert (parts["subject_type"], parts["binding_type"], parts["service_type"], parts["model_code"]) == (
        "1",
        "2",
        "3",
        "AB12",
    )
    assert decode_service_code("not a code") is None
    broken = PRODUCER[:21] + ("0" if PRODUCER[21] != "0" else "1") + PRODUCER[22:]
    assert decode_service_code(broken)["credit_code_valid"] == "no"  # type: ignore[index]


def test_known_good_credit_code_check_character() -> None:
    # A valid code widely used as an example; one changed check character must fail.
    assert uscc_check_ok("91350100M000100Y43")
    assert not uscc_check_ok("91350100M000100Y44")


def test_struct_form_is_read(tmp_path: Path) -> None:
    inner = (
        '<rdf:Description rdf:about=""><TC260:AIGC rdf:parseType="Resource">'
        "<TC260:Label>1</TC260:Label><TC260:ContentProducer>" + PRODUCER + "</TC260:ContentProducer>"
        "<TC260:ProduceID>p-9</TC260:ProduceID></TC260:AIGC></rdf:Description>"
    )
    path = _write(tmp_path, "s.jpg", jpeg_with_xmp(xmp_packet(inner, f'xmlns:TC260="{NS}"')))
    [finding] = run_check(AigcLabelCheck(), path)
    assert finding.strength is Strength.STRONG and finding.evidence["fields"]["ProduceID"] == "p-9"
