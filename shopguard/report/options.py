"""What the seller chooses for a report: language, paper, shop header, GPS opt-in."""

from __future__ import annotations

from dataclasses import dataclass

from shopguard.settings import Settings


@dataclass(frozen=True)
class ReportOptions:
    """``lang`` is "en", "zh_CN" or "both" (side by side); ``page_size`` "A4" or "Letter"."""

    lang: str = "both"
    page_size: str = "A4"
    shop_name: str = ""
    shop_logo: str | None = None
    include_gps: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, lang: str | None = None) -> ReportOptions:
        return cls(lang=lang or settings.report_language, page_size=settings.page_size,
                   shop_name=settings.shop_name, shop_logo=settings.shop_logo,
                   include_gps=settings.include_gps_in_report)
