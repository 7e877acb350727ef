"""``screenshot-context``: a complaint "photo" that is a screenshot, read: a listing page or a chat.

Many complaint pictures are screenshots of the seller's own listing page (the buyer shows the
seller's product photo as "what I received") or of a chat. Their text says which:

1. **Cheap gate, no OCR.** App backgrounds are drawn, not photographed: whole pixel rows have one
   exact colour. A camera row is never flat over its width (sensor noise of 1-2 levels, vignetting,
   JPEG ringing), so fewer than ``MIN_FLAT_ROW_SHARE`` flat rows ends the check at no cost, and so
   do fewer than ``MIN_TEXT_BANDS`` separate bands of content (a studio shot on white has one).
2. **OCR** of the whole picture reduced to ``OCR_SIDE_PX`` (screen text is 30-50 px tall on a phone
   screenshot, still ~20 px after reduction). A clock ("9:41") in the top ``STATUS_BAR_SHARE`` is a
   phone status bar.
3. **Listing page**: a price (¥/￥ + digits) and at least one more shop cue (已售, 月销, 加入购物车,
   立即购买, 店铺, "Add to cart"...) -> ``moderate`` (category ``library-derived``: the picture is
   derived from a listing page, the seller's own when the shop name from Settings is read). The
   largest run of non-flat rows is where the product photo sits inside the screenshot.
4. **Chat**: chat cues (发送, 已读, 按住 说话, "Type a message"...) with at least two clock times ->
   ``info`` (category ``capture-time``) listing the visible times and dates, compared with the order
   and delivery dates like capture time.

All text read goes into the evidence (``text``) so cases can be searched by it.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Region, Strength
from shopguard.checks.registry import register
from shopguard.checks.visible_mark_table import normalise
from shopguard.imaging.ocr import OcrUnavailableError, TextLine, read_text

log = logging.getLogger(__name__)

GATE_SIDE_PX = 800
"""The flat-row gate runs on a small decode: flat rows stay flat when reduced."""
MIN_FLAT_ROW_SHARE = 0.15
"""Listing pages and chats are at least 15 % background rows (gaps between text lines, bars)."""
FLAT_RANGE = 3
"""A row is flat when its grey levels span at most 3: UI colours are exact; JPEG may wobble by 1-2."""
MIN_TEXT_BANDS = 4
"""Screens stack rows of UI text between flat gaps (status bar, price, title, buttons...). A product
photo on a white studio background has flat rows too, but in one or two runs (above and below the
product): fewer than 4 separate busy bands ends the check without OCR."""
OCR_SIDE_PX = 1600
STATUS_BAR_SHARE = 0.06
"""Phone status bars take the top 3-5 % of a screenshot."""
MIN_PHOTO_ROWS_SHARE = 0.15
"""A product photo on a listing page spans at least 15 % of the screenshot's height."""

_CLOCK = re.compile(r"(?<!\d)([01]?\d|2[0-3])[:：]([0-5]\d)(?!\d)")
_PRICE = re.compile(r"[¥￥]\s*\d")
_DATE_FULL = re.compile(r"(20\d\d)\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})")
_LISTING_CUES = (
    "已售", "月销", "销量", "加入购物车", "立即购买", "领券", "店铺", "进店", "收藏", "包邮", "客服", "付款",
    "addtocart", "buynow", "sold", "shop",
)  # fmt: skip
_CHAT_CUES = ("发送", "已读", "未读", "按住说话", "输入", "消息", "撤回", "typeamessage", "delivered", "seen")


def _flat_rows(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    spread: npt.NDArray[np.int16] = grey.max(axis=1).astype(np.int16) - grey.min(axis=1)
    flat: npt.NDArray[np.bool_] = spread <= FLAT_RANGE
    return flat


def _busy_bands(flat: npt.NDArray[np.bool_]) -> int:
    """How many separate runs of non-flat rows there are."""
    busy = (~flat).astype(np.int8)
    return int(np.count_nonzero(np.diff(busy, prepend=0) == 1))


def _grey(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    grey: npt.NDArray[np.uint8] = (rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114).astype(np.uint8)
    return grey


def _photo_region(grey: npt.NDArray[np.uint8], scale: float) -> Region | None:
    """The longest run of non-flat rows (the product photo), in full-resolution pixels."""
    busy = ~_flat_rows(grey)
    best, start, best_span = None, None, 0
    for y, is_busy in enumerate([*busy.tolist(), False]):
        if is_busy and start is None:
            start = y
        elif not is_busy and start is not None:
            if y - start > best_span:
                best, best_span = (start, y), y - start
            start = None
    if best is None or best_span < MIN_PHOTO_ROWS_SHARE * grey.shape[0]:
        return None
    top, bottom = best
    columns = np.flatnonzero(grey[top:bottom].std(axis=0) > 1.0)
    if columns.size == 0:
        return None
    x0, x1 = int(columns[0]), int(columns[-1]) + 1
    return (round(x0 / scale), round(top / scale), round((x1 - x0) / scale), round((bottom - top) / scale))


def _dates(text: str) -> list[date]:
    found = []
    for y, m, d in _DATE_FULL.findall(text):
        try:
            found.append(date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return sorted(set(found))


@register
class ScreenshotContextCheck:
    id: ClassVar[str] = "screenshot-context"
    order: ClassVar[int] = 46

    def run(self, ctx: CheckContext) -> list[Finding]:
        small = ctx.pixels(GATE_SIDE_PX)
        flat = _flat_rows(_grey(np.asarray(small.image)))
        if flat.mean() < MIN_FLAT_ROW_SHARE or _busy_bands(flat) < MIN_TEXT_BANDS:
            return []
        decoded = ctx.pixels(OCR_SIDE_PX)
        rgb = np.asarray(decoded.image, dtype=np.uint8)
        try:
            lines = read_text(rgb, scale=decoded.scale)
        except OcrUnavailableError:
            log.warning("OCR engine unavailable: the screenshot-context check is skipped")
            return []
        if not lines:
            return []
        return self._classify(ctx, lines, _grey(rgb), decoded.scale)

    def _classify(
        self, ctx: CheckContext, lines: list[TextLine], grey: npt.NDArray[np.uint8], scale: float
    ) -> list[Finding]:
        height = ctx.facts.height
        texts = [line.text for line in lines]
        joined = "\n".join(texts)
        flat = normalise(joined)
        status_bar = any(_CLOCK.search(ln.text) and ln.box[1] < STATUS_BAR_SHARE * height for ln in lines)
        listing = sorted({cue for cue in _LISTING_CUES if cue in flat})
        chat = sorted({cue for cue in _CHAT_CUES if cue in flat})
        bar = STATUS_BAR_SHARE * height  # the status bar's clock is the phone's time now, not a message's
        times = sorted({f"{int(h)}:{m}" for ln in lines if ln.box[1] >= bar for h, m in _CLOCK.findall(ln.text)})
        evidence: dict[str, object] = {"text": texts, "status_bar": status_bar}
        if _PRICE.search(joined) and listing:
            shop = (ctx.shop_name or "").strip()
            own = bool(shop) and normalise(shop) in flat
            region = _photo_region(grey, scale)
            evidence.update(listing_cues=listing, price=True, shop_name_seen=own, photo_region=region)
            return [
                Finding(
                    self.id,
                    Category.LIBRARY_DERIVED,
                    Strength.MODERATE,
                    "finding.screenshot.listing.title",
                    "finding.screenshot.listing.own" if own else "finding.screenshot.listing.detail",
                    fields={"cues": "、".join(listing), "shop": shop},
                    regions=(region,) if region else (),
                    evidence=evidence,
                    limits_key="finding.screenshot.listing.limits",
                )
            ]
        chat_times = times
        if chat and len(chat_times) >= 2:
            dates = _dates(joined)
            order, delivery = ctx.case.order_date, ctx.case.delivery_date
            before_order = [d.isoformat() for d in dates if order and d < order]
            before_delivery = [d.isoformat() for d in dates if delivery and d < delivery]
            evidence.update(
                chat_cues=chat,
                times=chat_times,
                dates=[d.isoformat() for d in dates],
                dates_before_order=before_order,
                dates_before_delivery=before_delivery,
            )
            return [
                Finding(
                    self.id,
                    Category.CAPTURE_TIME,
                    Strength.INFO,
                    "finding.screenshot.chat.title",
                    "finding.screenshot.chat.detail",
                    fields={
                        "times": ", ".join(chat_times),
                        "dates": ", ".join(d.isoformat() for d in dates) or "—",
                        "before_delivery": ", ".join(before_delivery) or "—",
                    },
                    evidence=evidence,
                    limits_key="finding.screenshot.chat.limits",
                )
            ]
        return []
