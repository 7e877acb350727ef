"""What the seller chooses for a report: language, paper, shop header, GPS opt-in."""

from __future__ import annotations

from dataclasses import dataclass

from shopguard.i18n import normalize_language
from shopguard.settings import Settings

PAPER_SIZES = ("A4", "Letter")


@dataclass(frozen=True)
class ReportOptions:
    """``lang`` is "en", "zh_CN" (or "zh") or "both" (Chinese, English under it); ``page_size`` "A4" or "Letter".

    ``generated_at`` (ISO 8601, UTC) fixes the generation time shown in the footer; None = now.
    """

    lang: str = "both"
    page_size: str = "A4"
    shop_name: str = ""
    shop_logo: str | None = None
    include_gps: bool = False
    generated_at: str | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages to print, Chinese first when both (the platforms' reviewers read Chinese)."""
        if self.lang == "both":
            return ("zh_CN", "en")
        return (normalize_language(self.lang),)

    @classmethod
    def from_settings(cls, settings: Settings, lang: str | None = None, page_size: str | None = None) -> ReportOptions:
        return cls(
            lang=lang or settings.report_language,
            page_size=page_size or settings.page_size,
            shop_name=settings.shop_name,
            shop_logo=settings.shop_logo,
            include_gps=settings.include_gps_in_report,
        )
