"""C2PA: AI declarations, integrity and trust from the shared c2pa test files (manifest.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shopguard.checks.content_credentials import OFFLINE_SETTINGS, ContentCredentialsCheck
from shopguard.checks.findings import Category, Strength
from tests.checks.metadata_support import run_check


def _rows(testdata: Path) -> list[dict[str, str]]:
    with (testdata / "c2pa" / "manifest.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_c2pa_file_gives_what_its_manifest_says(testdata: Path) -> None:
    for row in _rows(testdata):
        findings = run_check(ContentCredentialsCheck(), testdata / "c2pa" / row["file"])
        ai = {f.fields["term"] for f in findings if f.category is Category.AI_LABEL}
        expected_terms = {t for t in row["c2pa_digital_source_types"].split(";") if t}
        assert ai == expected_terms, row["file"]
        present = row["c2pa_present"]
        if present == "False":
            assert findings == [], row["file"]
        elif present == "error":
            assert [f.title_key for f in findings] == ["finding.c2pa.unreadable.title"], row["file"]
            assert findings[0].strength is Strength.INFO
        else:
            summary = findings[0]
            assert summary.title_key == "finding.c2pa.summary.title"
            assert summary.evidence["validation_state"] == row["c2pa_validation_state"], row["file"]
            assert summary.evidence["signer"] == row["c2pa_signer"], row["file"]
            tampered = any(code.endswith("mismatch") for code in row["c2pa_status_codes"].split(";"))
            has_mismatch = any(f.title_key == "finding.c2pa.mismatch.title" for f in findings)
            assert has_mismatch == tampered, row["file"]


def test_ai_edited_photo_is_strong_and_untrusted_signer_is_not_an_accusation(testdata: Path) -> None:
    findings = run_check(ContentCredentialsCheck(), testdata / "c2pa" / "c2pa-rs__ocsp.jpg")
    edited = [f for f in findings if f.fields.get("term") == "compositeWithTrainedAlgorithmicMedia"]
    assert edited and edited[0].strength is Strength.STRONG
    assert "Adobe Photoshop" in edited[0].detail("en")
    summary = findings[0]
    assert summary.strength is Strength.INFO
    assert "not in a trust list" in summary.detail("en") and "says nothing against" in summary.detail("en")


def test_openai_image_is_declared_ai_generated(testdata: Path) -> None:
    findings = run_check(ContentCredentialsCheck(), testdata / "c2pa" / "chatgpt-image2.png")
    ai = [f for f in findings if f.category is Category.AI_LABEL]
    assert [(f.fields["term"], f.strength) for f in ai] == [("trainedAlgorithmicMedia", Strength.STRONG)]
    # signingCredential.invalid is a certificate-profile problem, not a content change
    assert not any(f.title_key == "finding.c2pa.mismatch.title" for f in findings)
    assert findings[0].detail_key == "finding.c2pa.summary.detail.credential"
    assert "not a change of content" in findings[0].detail("en")


def test_reader_is_configured_offline() -> None:
    assert OFFLINE_SETTINGS["verify"] == {"remote_manifest_fetch": False, "ocsp_fetch": False}


@pytest.mark.parametrize("name", ["adobe-20220124-A.jpg", "c2pa-rs__no_manifest.jpg"])
def test_no_manifest_no_finding(name: str, testdata: Path) -> None:
    assert run_check(ContentCredentialsCheck(), testdata / "c2pa" / name) == []
