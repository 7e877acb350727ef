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
        """One plain sentence; names the strongest finding when there is one."""
        top_key = self.fields.get("top_title_key")
        top = text(top_key, lang, **self.fields.get("top_fields", {})) if top_key else ""
        return text(self.summary_key, lang, count=self.fields.get("count", 0), top=top)

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
            "count": len(suspicious),
        },
    )


def case_verdict(verdicts: Sequence[Verdict]) -> Verdict:
    """The verdict for a whole case: its strongest photo verdict."""
    if not verdicts:
        return Verdict(VerdictLevel.NONE, "verdict.none")
    return max(verdicts, key=lambda v: v.level.rank)
