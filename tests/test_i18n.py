"""The text catalogue: complete in both languages, same placeholders, no duplicate keys."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from shopguard.i18n import LANGUAGES, catalog, normalize_language, placeholders, text


def test_every_key_has_every_language_with_the_same_placeholders() -> None:
    problems = []
    for key, entry in catalog().items():
        missing = [lang for lang in LANGUAGES if not entry.get(lang)]
        if missing:
            problems.append(f"{key}: missing {missing}")
            continue
        names = {lang: placeholders(entry[lang]) for lang in LANGUAGES}
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
