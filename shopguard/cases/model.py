"""The case data model and its public JSON shape (``check --json``; docs/cli.md)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from shopguard.checks.context import CaseFacts
from shopguard.checks.findings import Finding
from shopguard.checks.verdict import Verdict, case_verdict

CASE_STATUSES = ("open", "appealed", "won", "lost")


@dataclass(frozen=True)
class CasePhoto:
    """One complaint photo of a case, with the results of its checks.

    ``stored_path`` is ShopGuard's copy inside the case folder (the original is never touched);
    ``original_path`` is where the seller's file was. Unreadable photos have ``format`` "unknown",
    zero size and an ``input`` finding saying why.
    """

    name: str
    original_path: str
    stored_path: str | None
    sha256: str
    format: str
    width: int
    height: int
    size_bytes: int
    received_at: str
    findings: tuple[Finding, ...]
    verdict: Verdict
    file_mtime: str | None = None
    is_readable: bool = True
    media: str = "photo"
    poster_path: str | None = None
    video: dict[str, Any] | None = None

    @property
    def picture_path(self) -> str | None:
        """The picture to show for this item: the photo itself, or a video's poster frame (its key frame)."""
        return self.poster_path or self.stored_path

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "path": self.original_path,
            "name": self.name,
            "stored_path": self.stored_path,
            "sha256": self.sha256,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "size_bytes": self.size_bytes,
            "received_at": self.received_at,
            "file_mtime": self.file_mtime,
            "readable": self.is_readable,
            "media": self.media,
            "poster_path": self.poster_path,
            "video": self.video,
            "verdict": self.verdict.to_json(lang),
            "findings": [f.to_json(lang) for f in self.findings],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CasePhoto:
        return cls(
            name=d["name"],
            original_path=d["path"],
            stored_path=d.get("stored_path"),
            sha256=d["sha256"],
            format=d["format"],
            width=d["width"],
            height=d["height"],
            size_bytes=d.get("size_bytes", 0),
            received_at=d.get("received_at", ""),
            findings=tuple(Finding.from_json(f) for f in d.get("findings", ())),
            verdict=Verdict.from_json(d["verdict"]),
            file_mtime=d.get("file_mtime"),
            is_readable=d.get("readable", True),
            media=d.get("media", "photo"),
            poster_path=d.get("poster_path"),
            video=d.get("video"),
        )


def _date_json(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date_parse(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def facts_to_json(facts: CaseFacts) -> dict[str, Any]:
    return {
        "order_date": _date_json(facts.order_date),
        "delivery_date": _date_json(facts.delivery_date),
        "complaint_date": _date_json(facts.complaint_date),
        "platform": facts.platform,
        "order_id": facts.order_id,
        "buyer": facts.buyer,
        "claim_text": facts.claim_text,
        "shop_name": facts.shop_name,
    }


def facts_from_json(d: dict[str, Any]) -> CaseFacts:
    return CaseFacts(
        order_date=_date_parse(d.get("order_date")),
        delivery_date=_date_parse(d.get("delivery_date")),
        complaint_date=_date_parse(d.get("complaint_date")),
        platform=d.get("platform"),
        order_id=d.get("order_id"),
        buyer=d.get("buyer"),
        claim_text=d.get("claim_text"),
        shop_name=d.get("shop_name"),
    )


@dataclass(frozen=True)
class Case:
    """A complaint case: created by one ``check`` call, stored in the home, reopened later."""

    id: str
    created_at: str
    facts: CaseFacts
    photos: tuple[CasePhoto, ...]
    status: str = "open"
    notes: str = ""
    reports: tuple[str, ...] = field(default_factory=tuple)
    checked_at: str | None = None
    """When the checks last ran (``created_at`` until the case is checked again)."""
    library_journal_head: dict[str, Any] | None = None
    """The library journal's last entry (``seq``, ``entry_hash``) when the checks ran; None without a journal."""
    history: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    """Earlier runs of a re-checked case, oldest first: when, with which facts, what they found."""

    @property
    def verdict(self) -> Verdict:
        return case_verdict([p.verdict for p in self.photos])

    def with_report(self, path: str) -> Case:
        return replace(self, reports=(*self.reports, path))

    def to_json(self, lang: str = "en", report: str | None = None) -> dict[str, Any]:
        """The ``check --json`` document; ``report`` is the PDF written by this call, if any."""
        return {
            "case_id": self.id,
            "verdict": self.verdict.to_json(lang),
            "report": report,
            "photos": [p.to_json(lang) for p in self.photos],
            "created_at": self.created_at,
            "status": self.status,
            "notes": self.notes,
            "facts": facts_to_json(self.facts),
            "reports": list(self.reports),
            "checked_at": self.checked_at or self.created_at,
            "library_journal_head": self.library_journal_head,
            "history": list(self.history),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Case:
        return cls(
            id=d["case_id"],
            created_at=d["created_at"],
            facts=facts_from_json(d.get("facts") or {}),
            photos=tuple(CasePhoto.from_json(p) for p in d.get("photos", ())),
            status=d.get("status", "open"),
            notes=d.get("notes", ""),
            reports=tuple(d.get("reports", ())),
            checked_at=d.get("checked_at"),
            library_journal_head=d.get("library_journal_head"),
            history=tuple(d.get("history") or ()),
        )

    def history_entry(self) -> dict[str, Any]:
        """This run, summarised for ``history`` before a re-check replaces it (extend, never drop, fields)."""
        return {
            "checked_at": self.checked_at or self.created_at,
            "verdict": self.verdict.to_json("en"),
            "facts": facts_to_json(self.facts),
            "library_journal_head": self.library_journal_head,
            "photos": [
                {
                    "name": p.name,
                    "sha256": p.sha256,
                    "verdict": p.verdict.level.value,
                    "findings": [
                        {
                            "check": f.check,
                            "category": f.category.value,
                            "strength": f.strength.value,
                            "title": f.title("en"),
                            "title_key": f.title_key,
                        }
                        for f in p.findings
                    ],
                }
                for p in self.photos
            ],
        }

    def summary_json(self, lang: str = "en") -> dict[str, Any]:
        """One row of ``cases list --json``."""
        return {
            "case_id": self.id,
            "created_at": self.created_at,
            "status": self.status,
            "verdict": self.verdict.to_json(lang),
            "photos": len(self.photos),
            "platform": self.facts.platform,
            "order_id": self.facts.order_id,
            "buyer": self.facts.buyer,
            "reports": list(self.reports),
        }
