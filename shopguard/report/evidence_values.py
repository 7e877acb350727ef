"""How a finding's measured values are printed in its exhibit.

Labels come from the catalogue (``report.evidence.<name>``; an unknown name is printed as is),
yes/no and known codes are words, shares of 1 also show their percentage, and location values
stay out unless the seller opted in (settings: include GPS in report).
"""

from __future__ import annotations

from shopguard.i18n import has_key
from shopguard.report.content import Fact, RankedFinding, ReportContext, is_gps_key, show_value
from shopguard.report.writer import Say, key, literal

# Checks list values that are private (coordinates) under this evidence key (metadata checks).
PRIVATE_FIELDS_KEY = "private_fields"
# library-match evidence values that are shares of 1 (docs/matching.md): printed with their
# percentage too. Named one by one: the pixel checks' "*_ratio" values compare two measurements
# and are not shares.
SHARE_NAMES = (
    "inlier_ratio",
    "inlier_spread",
    "covered_share",
    "changed_share",
    "similarity_outside",
    "print_in_changed",
    "chroma_kept",
)
# library-match values that only order twins (raw_distance) or only rule a match out as a recolour
# (chroma_balance, print_contrast_kept, which every derived match passes): they stay in the JSON for anyone
# re-checking a decision, but say nothing a reader of the report can weigh (docs/matching.md).
DIAGNOSTIC_NAMES = ("raw_distance", "chroma_balance", "print_contrast_kept")
# library-match values about when the listing photo existed (listing_dates.py, docs/cli.md): said in the finding's
# own words and printed with the case facts, not repeated as measured values of the exhibit.
DATED_NAMES = ("listing_existed_by", "listing_before_order", "journal_entry")
# Values the report prints elsewhere: the listing photo's hash and dates (page 1, the exhibit and the
# listing facts) and its library journal entry (the appendix's journal section).
SHOWN_ELSEWHERE_NAMES = (*DATED_NAMES, "library_sha256", "library_added_at", "library_file_mtime")
# A video's per-frame rows and region tracks: the finding's text names the frame times and the contact sheet
# shows them; the rows stay in the JSON for anyone re-checking.
PER_FRAME_NAMES = ("frames", "region_tracks")


def _evidence_label(name: str) -> Say:
    label_key = f"report.evidence.{name}"
    return key(label_key) if has_key(label_key) else literal(name)


def _evidence_value(name: str, value: object) -> str | Say:
    """A measured value as printed: yes/no and known codes in words, shares also in percent."""
    if isinstance(value, bool):
        return key("report.value.yes" if value else "report.value.no")
    code_key = f"report.value.{name}.{value}"
    if isinstance(value, str) and has_key(code_key):
        said = key(code_key)
        return lambda lang: f"{said(lang)} ({value})"
    if name in SHARE_NAMES and isinstance(value, float) and 0.0 <= value <= 1.0:
        # the finding's text says "4.6%"; the raw value stays for anyone checking the JSON
        return f"{show_value(value)} ({value * 100:.1f}%)"
    return show_value(value)


def evidence_rows(ctx: ReportContext, item: RankedFinding) -> list[Fact]:
    """One fact per measured value; a nested table of values (decoded label fields, the transform)
    gets a group heading and one fact per field."""
    rows: list[Fact] = []
    hidden_gps = False
    evidence = item.finding.evidence
    # Checks list values that are private (coordinates) under "private_fields" (metadata checks).
    private = {str(name) for name in evidence.get(PRIVATE_FIELDS_KEY) or ()}
    nested: list[Fact] = []
    for name, value in evidence.items():
        if name in (PRIVATE_FIELDS_KEY, *DIAGNOSTIC_NAMES, *SHOWN_ELSEWHERE_NAMES, *PER_FRAME_NAMES):
            continue
        if (name in private or is_gps_key(name)) and not ctx.options.include_gps:
            hidden_gps = True
            continue
        if not (isinstance(value, dict) and value):
            rows.append((_evidence_label(name), _evidence_value(name, value)))
            continue
        # nested tables go after the plain values, so that short values pair up in the table
        nested.append((_evidence_label(name), None))
        for sub_name, sub_value in value.items():
            if is_gps_key(str(sub_name)) and not ctx.options.include_gps:
                hidden_gps = True
                continue
            nested.append((_evidence_label(str(sub_name)), _evidence_value(str(sub_name), sub_value)))
    rows += nested
    if hidden_gps:
        rows.append((key("report.evidence.gps"), key("report.gps.hidden")))
    return rows
