"""When the seller's listing photo existed, and the three facts a reviewer needs, in plain words.

An appeal turns on three facts: the matched photo is the seller's own, it existed before the
order, and the buyer's photo was made from it with one region changed. The library-match finding
carries the first and the third (its listing photo, hash and changed share); the library keeps
the second as the photo's earliest dated evidence (``listing_existed_by``: a date and where it
comes from) and, when the order date is known, ``listing_before_order``. Findings stored before
the library kept those dates only have the date the photo was added to the library, which is
used instead and named as such.

Every value is read with ``.get`` so that a case stored by any version of ShopGuard still reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shopguard.checks.findings import Category, Finding
from shopguard.i18n import has_key, text
from shopguard.report.content import RankedFinding, ReportContext, ranked_findings, show_time
from shopguard.report.writer import Say

# Sources of a listing photo's date, as the library names them (docs/cli.md, library JSON).
LIBRARY_ADDED_SOURCE = "library_added"


@dataclass(frozen=True)
class ExistedBy:
    """The earliest date the listing photo is known to have existed, and where that date comes from."""

    moment: str
    source: str
    detail: str = ""

    @property
    def day(self) -> date | None:
        try:
            return datetime.fromisoformat(self.moment).date()
        except ValueError:
            try:
                return date.fromisoformat(self.moment[:10])
            except ValueError:
                return None

    def shown(self) -> str:
        """The date as printed: a day, or a day and time when the source records a time."""
        return show_time(self.moment) if "T" in self.moment else self.moment[:10]

    def source_say(self) -> Say:
        name = f"report.listing.source.{self.source}"
        if has_key(name):
            return lambda lang: text(name, lang)
        return lambda _lang: self.source


def is_library_match(finding: Finding) -> bool:
    """A finding that says the buyer's photo was made from a listing photo."""
    return finding.category is Category.LIBRARY_DERIVED and bool(finding.library_photo)


def lead_match(ctx: ReportContext) -> RankedFinding | None:
    """The strongest library-derived finding of the case (page 1 is built around it), if any."""
    return next((item for item in ranked_findings(ctx.case) if is_library_match(item.finding)), None)


def existed_by(finding: Finding) -> ExistedBy | None:
    """The listing photo's earliest dated evidence; its library date when nothing earlier was kept."""
    evidence = finding.evidence
    found = evidence.get("listing_existed_by")
    if isinstance(found, dict) and found.get("date"):
        return ExistedBy(str(found["date"]), str(found.get("source") or ""), str(found.get("detail") or ""))
    added = evidence.get("library_added_at")
    if added:
        return ExistedBy(str(added), LIBRARY_ADDED_SOURCE)
    return None


def before_order(finding: Finding, order_date: date | None) -> bool | None:
    """True/False: the listing photo existed before the order date; None: not known.

    The library's own answer (``listing_before_order``) wins; without it the dates are compared
    here. A date on the order day itself is not "before": the order may have come first that day.
    """
    stored: Any = finding.evidence.get("listing_before_order")
    if isinstance(stored, bool):
        return stored
    existed = existed_by(finding)
    day = existed.day if existed else None
    if order_date is None or day is None:
        return None
    return day < order_date


def file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def three_facts(ctx: ReportContext, item: RankedFinding) -> Say:
    """Two sentences: whose photo it is and when it existed; what the buyer's photo changed."""
    finding, photo = item.finding, item.photo
    listing = file_name(finding.library_photo or "")
    order_date = ctx.case.facts.order_date
    existed = existed_by(finding)
    first_order = before_order(finding, order_date)
    changed = finding.evidence.get("changed_share")
    has_change = bool(finding.regions) or (isinstance(changed, int | float) and changed > 0)

    def say(lang: str) -> str:
        if existed is None:
            first = text("report.facts.listing_undated", lang, listing=listing)
        else:
            fields = {
                "listing": listing,
                "date": existed.shown(),
                "source": existed.source_say()(lang),
                "order_date": order_date.isoformat() if order_date else "",
            }
            timing = {True: "before", False: "after", None: "no_order"}[first_order]
            if first_order is None and order_date is not None:
                timing = "no_order"
            first = text(f"report.facts.listing_{timing}", lang, **fields)
        if has_change:
            pct = f"{float(changed) * 100:.1f}" if isinstance(changed, int | float) else "?"
            second = text("report.facts.made_changed", lang, photo=photo.name, regions=len(finding.regions), pct=pct)
        else:
            second = text("report.facts.made_same", lang, photo=photo.name)
        return f"{first} {second}" if lang == "en" else f"{first}{second}"

    return say
