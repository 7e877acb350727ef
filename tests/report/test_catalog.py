"""The report's catalogue: both languages, same placeholders, and every key the report uses exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

from shopguard.checks.findings import Category
from shopguard.i18n import has_key, placeholders

REPORT_DIR = Path(__file__).resolve().parents[2] / "shopguard" / "report"
CATALOG = Path(__file__).resolve().parents[2] / "shopguard" / "i18n" / "catalogs" / "report.json"


def test_both_languages_with_the_same_placeholders() -> None:
    entries = json.loads(CATALOG.read_text(encoding="utf-8"))
    for name, texts in entries.items():
        assert set(texts) == {"en", "zh_CN"}, name
        assert texts["en"].strip() and texts["zh_CN"].strip(), name
        assert placeholders(texts["en"]) == placeholders(texts["zh_CN"]), name


def test_every_literal_key_in_the_report_code_exists() -> None:
    used: set[str] = set()
    for module in REPORT_DIR.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        used |= set(re.findall(r'"((?:report|progress|strength|verdict)\.[a-z0-9_.\-]+)"', source))
    assert used
    missing = sorted(k for k in used if not has_key(k))
    assert not missing


def test_every_category_has_a_plain_words_method_text() -> None:
    for category in Category:
        if category is not Category.INPUT:
            assert has_key(f"report.method.{category.value}")
            assert has_key(f"report.category.{category.value}")
