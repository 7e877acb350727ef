"""The text catalogue: complete in both languages, same placeholders, no duplicate keys."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from shopguard.i18n import LANGUAGES, catalog, forms, normalize_language, placeholders, text


def test_every_key_has_every_language_with_the_same_placeholders() -> None:
    problems = []
    for key, entry in catalog().items():
        missing = [lang for lang in LANGUAGES if not entry.get(lang)]
        if missing:
            problems.append(f"{key}: missing {missing}")
            continue
        # Plural forms may leave the number out ("1 photo"); together they use the same names.
        names = {lang: set().union(*(placeholders(f) for f in forms(entry[lang]))) for lang in LANGUAGES}
        if len({frozenset(v) for v in names.values()}) != 1:
            problems.append(f"{key}: placeholders differ {names}")
    assert not problems, "\n".join(problems)


def test_catalogue_files_are_valid_json_objects() -> None:
    folder = resources.files("shopguard.i18n").joinpath("catalogs")
    files = [e for e in folder.iterdir() if e.name.endswith(".json")]
    assert files
    for entry in files:
        data = json.loads(entry.read_text(encoding="utf-8"))
        assert isinstance(data, dict), entry.name


@pytest.mark.parametrize(
    ("given", "expected"),
    [("zh", "zh_CN"), ("zh-CN", "zh_CN"), ("zh_CN.UTF-8", "zh_CN"), ("en_US", "en"), (None, "en"), ("fr", "en")],
)
def test_language_names_are_normalized(given: str | None, expected: str) -> None:
    assert normalize_language(given) == expected


def test_text_fills_placeholders_and_survives_missing_ones() -> None:
    assert text("error.image.empty", "en", path="a.jpg") == "a.jpg: the file is empty (0 bytes)."
    assert "a.jpg" in text("error.image.empty", "zh_CN", path="a.jpg")
    assert text("error.image.empty", "en") == "{path}: the file is empty (0 bytes)."
    assert text("no.such.key") == "no.such.key"


def test_plural_forms_follow_the_count_in_english_and_chinese_has_one_form() -> None:
    assert text("gui.result.case", "en", case_id="C1", count=1) == "Case C1 · 1 photo"
    assert text("gui.result.case", "en", case_id="C1", count=3) == "Case C1 · 3 photos"
    assert text("gui.result.case", "en", case_id="C1", count=0) == "Case C1 · 0 photos"
    assert text("gui.result.case", "zh_CN", case_id="C1", count=1) == "案件 C1 · 1 张照片"
    # an entry may count by another field than "count"
    one = text("finding.library.derived_changed.title", "en", library_name="a.jpg", regions=1)
    assert one.endswith("with 1 changed region")
    two = text("finding.library.derived_changed.title", "en", library_name="a.jpg", regions=2)
    assert two.endswith("2 changed regions")


def test_no_english_text_says_s_in_brackets_or_counts_one_as_plural() -> None:
    """No "photo(s)": every countable noun has its plural forms (the "one" form never reads "1 photos")."""
    problems = []
    for key, entry in catalog().items():
        for form in forms(entry.get("en", "")):
            if "(s)" in form:
                problems.append(f"{key}: {form}")
        english = entry.get("en")
        if isinstance(english, dict):
            assert set(english) >= {"one", "other"}, key
            assert not re.search(r"\b1 \w+s\b", english["one"]), key
    assert not problems, "\n".join(problems)
