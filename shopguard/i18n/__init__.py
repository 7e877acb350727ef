"""The one text catalogue shared by the GUI, the CLI and the PDF report.

Catalogue files live in ``shopguard/i18n/catalogs/*.json``; each maps a stable key to its text in
every supported language: ``{"key": {"en": "...", "zh_CN": "..."}}``. Splitting by area keeps
files small; a key may appear in only one file. Placeholders are ``{name}`` (str.format style).

Plurals: a language's text may instead be its plural forms, ``{"one": "1 photo", "other": "{count} photos"}``
(CLDR category names; English needs "one" and "other", Chinese has no plural and keeps one string). ``text``
picks the form by the ``count`` field, or by the field named in the entry's optional ``"plural_by"``.
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("en", "zh_CN")
DEFAULT_LANGUAGE = "en"


def normalize_language(lang: str | None) -> str:
    """Map user spellings ("zh", "zh-CN", "zh_CN.UTF-8", "en_US") onto a supported language."""
    if not lang:
        return DEFAULT_LANGUAGE
    low = lang.replace("-", "_").split(".")[0].lower()
    if low.startswith("zh"):
        return "zh_CN"
    return "en"


Template = str | dict[str, str]
"""One language's text: a template, or its plural forms by CLDR category ("one", "other")."""


@cache
def catalog() -> dict[str, dict[str, Template]]:
    """Load and merge every catalogue file (cached for the process).

    Raises:
        ValueError: when two files define the same key (a packaging bug, not user input).
    """
    merged: dict[str, dict[str, Template]] = {}
    folder = resources.files("shopguard.i18n").joinpath("catalogs")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"i18n key {key!r} defined twice (second in {entry.name})")
            merged[key] = texts
    return merged


def placeholders(template: str) -> set[str]:
    """Names of the ``{placeholders}`` in a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def forms(template: Template) -> list[str]:
    """Every text of one language's entry: the template, or each of its plural forms."""
    return list(template.values()) if isinstance(template, dict) else [template]


def plural_category(count: object) -> str:
    """The CLDR plural category of ``count`` for English, the one language here with plural forms.

    Only a whole 1 is "one" ("1 photo", "1.5 photos", "0 photos"); anything that is not a number is "other".
    """
    return "one" if isinstance(count, int | float) and not isinstance(count, bool) and count == 1 else "other"


def text(key: str, lang: str = DEFAULT_LANGUAGE, **fields: Any) -> str:
    """Look up ``key`` in ``lang`` and fill its placeholders (picking the plural form by ``count``).

    An unknown key returns the key itself (visible in review, never a crash); a missing placeholder
    value is shown as ``{name}``. A value that is itself a phrase, ``{"text_key": key, "fields": {...}}``
    (JSON-safe, so a stored finding keeps it), is looked up in the same language first: a sentence can
    hold a part that varies (a date's source, a comparison) without formatting text before lookup.
    """
    entry = catalog().get(key)
    if entry is None:
        return key
    lang = normalize_language(lang)
    template = entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key
    if isinstance(template, dict):
        by = entry.get("plural_by")
        count = fields.get(by if isinstance(by, str) else "count")
        template = template.get(plural_category(count)) or template.get("other") or key
    return template.format_map(_Lenient({name: _phrase(value, lang) for name, value in fields.items()}))


def phrase(key: str, **fields: Any) -> dict[str, Any]:
    """A placeholder value rendered from ``key`` in whatever language the outer text is shown in."""
    return {"text_key": key, "fields": fields}


def _phrase(value: Any, lang: str) -> Any:
    if isinstance(value, dict) and isinstance(value.get("text_key"), str):
        return text(value["text_key"], lang, **dict(value.get("fields") or {}))
    return value


class _Lenient(dict[str, Any]):
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def has_key(key: str) -> bool:
    """True when the catalogue defines ``key``."""
    return key in catalog()
