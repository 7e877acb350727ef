"""Turn findings into a verdict: a level and one plain sentence.

The level is the strongest non-``info`` finding. Evidence is not added up: two weak hints do not
make a strong case, and saying so keeps honest buyers from being accused on noise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shopguard.checks.findings import Finding, Strength, VerdictLevel
from shopguard.i18n import text


@dataclass(frozen=True)
class Verdict:
    level: VerdictLevel
    summary_key: str
    fields: dict[str, Any] = field(default_factory=dict)

    def summary(self, lang: str = "en") -> str:
        """One plain sentence, level included (the CLI, the report); names the strongest finding and what
        kind of evidence it is (reuse, editing, AI generation...)."""
        return text(self.summary_key, lang, **self._text_fields(lang))

    def headline(self, lang: str = "en") -> str:
        """The sentence under a title that already names the level (the app's banner): the level is not
        repeated, the strongest finding and what it points to are."""
        if self.level is VerdictLevel.NONE:
            return self.summary(lang)
        return text(f"verdict.banner.{self.level.value}", lang, **self._text_fields(lang))

    def _text_fields(self, lang: str) -> dict[str, Any]:
        top_key = self.fields.get("top_title_key")
        top = text(top_key, lang, **self.fields.get("top_fields", {})) if top_key else ""
        # Cases stored before the category was recorded say "editing, AI generation or reuse".
        category = self.fields.get("top_category") or "any"
        return {"count": self.fields.get("count", 0), "top": top, "what": text(f"verdict.what.{category}", lang)}

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "level": self.level.value,
            "summary": self.summary(lang),
            "summary_key": self.summary_key,
            "fields": dict(self.fields),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(VerdictLevel(data["level"]), data["summary_key"], dict(data.get("fields") or {}))


def ranked(findings: Iterable[Finding]) -> list[Finding]:
    """Findings strongest first (stable within a strength)."""
    return sorted(findings, key=lambda f: -f.strength.rank)


def photo_verdict(findings: Sequence[Finding]) -> Verdict:
    """The verdict for one photo from its findings."""
    suspicious = [f for f in ranked(findings) if f.strength is not Strength.INFO]
    if not suspicious:
        unreadable = any(f.category.value == "input" for f in findings)
        return Verdict(VerdictLevel.NONE, "verdict.unreadable" if unreadable else "verdict.none")
    top = suspicious[0]
    level = VerdictLevel(top.strength.value)
    return Verdict(
        level,
        f"verdict.{level.value}",
        {
            "top_title_key": top.title_key,
            "top_fields": dict(top.fields),
            "top_check": top.check,
            "top_category": top.category.value,
            "count": len(suspicious),
        },
    )


def case_verdict(verdicts: Sequence[Verdict]) -> Verdict:
    """The verdict for a whole case: its strongest photo verdict."""
    if not verdicts:
        return Verdict(VerdictLevel.NONE, "verdict.none")
    return max(verdicts, key=lambda v: v.level.rank)
