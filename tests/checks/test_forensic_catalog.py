"""The forensic checks' texts: every key they use exists in both languages with the same placeholders."""

from __future__ import annotations

import json
import re
from importlib import resources

from shopguard.i18n import placeholders

MODULES = ("error_level", "noise_consistency", "copy_move")


def _catalog() -> dict[str, dict[str, str]]:
    path = resources.files("shopguard.i18n").joinpath("catalogs/checks_forensic.json")
    data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_every_used_key_is_defined_in_both_languages() -> None:
    catalog = _catalog()
    used: set[str] = set()
    for module in MODULES:
        source = resources.files("shopguard.checks").joinpath(f"{module}.py").read_text(encoding="utf-8")
        used |= set(re.findall(r'"(forensic\.[a-z_.]+)"', source))
        # Keys built from a variable part: the copy-move info variants.
        used |= {
            f"forensic.copymove.{k}.{part}"
            for k in re.findall(r'"(repetitive|twins)"', source)
            for part in ("title", "detail")
        }
    assert len(used) >= 15
    missing = sorted(k for k in used if k not in catalog)
    assert not missing, missing


def test_languages_have_same_placeholders_and_no_empty_text() -> None:
    for key, texts in _catalog().items():
        assert set(texts) == {"en", "zh_CN"}, key
        assert texts["en"].strip() and texts["zh_CN"].strip(), key
        assert placeholders(texts["en"]) == placeholders(texts["zh_CN"]), key
