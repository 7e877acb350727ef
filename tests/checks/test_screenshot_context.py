"""screenshot-context: a listing-page screenshot and a chat screenshot, drawn in code, are told apart;
camera photos never reach the OCR step."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from shopguard.checks.context import CaseFacts, CheckContext
from shopguard.checks.findings import Category, Strength
from shopguard.checks.screenshot_context import ScreenshotContextCheck
from shopguard.imaging import probe, read_source
from tests.checks.visible_mark_support import font_for

SHOP = "小满家居旗舰店"
W, H = 1080, 2340


def _status_bar(draw: ImageDraw.ImageDraw) -> None:
    draw.text((60, 30), "9:41", font=font_for("9:41", 40), fill=(0, 0, 0))
    draw.text((900, 30), "87%", font=font_for("87%", 36), fill=(0, 0, 0))


def listing_page(product: Image.Image) -> Image.Image:
    """A phone screenshot of a shop's product page: status bar, product photo, price, sales, buttons."""
    page = Image.new("RGB", (W, H), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    _status_bar(draw)
    photo = product.resize((W, W * product.height // product.width))
    page.paste(photo, (0, 120))
    y = 120 + photo.height + 40
    draw.text((40, y), "¥89.00", font=font_for("¥89.00", 72), fill=(230, 40, 20))
    draw.text((600, y + 20), "已售 1.2万+", font=font_for("已售 1.2万+", 40), fill=(120, 120, 120))
    draw.text((40, y + 130), "北欧陶瓷马克杯 大容量 办公室水杯", font=font_for("北欧", 44), fill=(0, 0, 0))
    draw.text((40, y + 230), SHOP, font=font_for(SHOP, 44), fill=(0, 0, 0))
    draw.rectangle((0, H - 180, W, H), fill=(248, 248, 248))
    draw.rounded_rectangle((420, H - 150, 730, H - 50), 40, fill=(255, 160, 0))
    draw.rounded_rectangle((750, H - 150, 1060, H - 50), 40, fill=(255, 60, 0))
    draw.text((450, H - 130), "加入购物车", font=font_for("加入购物车", 48), fill=(255, 255, 255))
    draw.text((790, H - 130), "立即购买", font=font_for("立即购买", 48), fill=(255, 255, 255))
    return page


def chat_page() -> Image.Image:
    """A phone screenshot of a chat: status bar, dated messages in bubbles, an input bar."""
    page = Image.new("RGB", (W, H), (237, 237, 237))
    draw = ImageDraw.Draw(page)
    _status_bar(draw)
    draw.text((420, 130), "买家小王", font=font_for("买家小王", 48), fill=(0, 0, 0))
    y = 300
    for stamp, message, right in (
        ("2026年3月2日 14:05", "你好，杯子收到了有裂缝", False),
        ("14:07", "亲，麻烦拍一下照片", True),
        ("2026年3月3日 09:12", "照片已经发给你了", False),
    ):
        draw.text((380, y), stamp, font=font_for(stamp, 34), fill=(150, 150, 150))
        y += 80
        x = 560 if right else 160
        draw.rounded_rectangle(
            (x - 20, y - 10, x + 480, y + 80), 16, fill=(149, 236, 105) if right else (255, 255, 255)
        )
        draw.text((x, y + 10), message, font=font_for(message, 40), fill=(0, 0, 0))
        y += 200
    draw.rectangle((0, H - 160, W, H), fill=(247, 247, 247))
    draw.text((420, H - 110), "按住 说话", font=font_for("按住 说话", 44), fill=(60, 60, 60))
    draw.text((930, H - 110), "发送", font=font_for("发送", 44), fill=(60, 60, 60))
    return page


def _run(image: Image.Image, tmp_path: Path, case: CaseFacts | None = None, shop: str | None = None) -> list:
    path = tmp_path / "shot.png"
    image.save(path)
    source = read_source(path)
    ctx = CheckContext(source=source, facts=probe(source), case=case or CaseFacts(), shop_name=shop)
    return ScreenshotContextCheck().run(ctx)


@pytest.fixture
def product(testdata: Path) -> Image.Image:
    with Image.open(testdata / "product-photos" / "abo__B0799CK52K__d80a51d3.jpg") as im:
        return im.convert("RGB")


def test_a_listing_page_is_the_sellers_own_listing(ocr: None, product: Image.Image, tmp_path: Path) -> None:
    [finding] = _run(listing_page(product), tmp_path, shop=SHOP)
    assert finding.category is Category.LIBRARY_DERIVED and finding.strength is Strength.MODERATE
    assert finding.evidence["shop_name_seen"] is True and SHOP in finding.detail("zh_CN")
    assert {"已售", "加入购物车"} <= set(finding.evidence["listing_cues"])
    assert any("89" in t for t in finding.evidence["text"])
    _, y, w, h = finding.evidence["photo_region"]  # the product photo pasted at y=120, full width
    assert abs(y - 120) <= 30 and w >= 0.9 * W and abs(h - W * product.height // product.width) <= 60
    [other] = _run(listing_page(product), tmp_path, shop="别家小店")
    assert other.evidence["shop_name_seen"] is False


def test_a_chat_is_context_with_its_dates(ocr: None, tmp_path: Path) -> None:
    facts = CaseFacts(order_date=date(2026, 2, 27), delivery_date=date(2026, 3, 3))
    [finding] = _run(chat_page(), tmp_path, case=facts)
    assert finding.category is Category.CAPTURE_TIME and finding.strength is Strength.INFO
    assert finding.evidence["dates"] == ["2026-03-02", "2026-03-03"]
    assert finding.evidence["dates_before_delivery"] == ["2026-03-02"]
    assert {"14:05", "14:07", "9:12"} <= set(finding.evidence["times"])
    assert "9:41" not in finding.evidence["times"]  # the status bar clock is not a message time


def test_camera_photos_and_product_photos_are_not_screenshots(ocr: None, testdata: Path, tmp_path: Path) -> None:
    for name in ("exif-camera/gps__DSCN0010.jpg", "product-photos-more/grocerystore__Alpro-Fresh-Soy-Milk__1.jpg"):
        source = read_source(testdata / name)
        assert ScreenshotContextCheck().run(CheckContext(source=source, facts=probe(source))) == [], name
