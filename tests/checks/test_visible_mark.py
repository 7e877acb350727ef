"""ai-visible-mark: generator marks drawn on real photos are read; untouched photos and printed text are not.

Marks are drawn in code (tests/checks/visible_mark_support.py) on photos from ../shared/testdata. The
OCR models load once per session (the ``ocr`` fixture), so the module costs a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Strength
from shopguard.checks.visible_mark import VisibleMarkCheck, find_marks
from shopguard.checks.visible_mark_table import load_marks, match_line
from shopguard.imaging import probe, read_source
from tests.checks.visible_mark_support import cut_half, draw_mark, font_for, jpeg_roundtrip

PHOTO = "exif-camera/gps__DSCN0010.jpg"
PACKAGING = "product-photos-more/grocerystore__Alpro-Fresh-Soy-Milk__1.jpg"


@pytest.fixture
def photo(testdata: Path) -> Image.Image:
    with Image.open(testdata / PHOTO) as im:
        return im.convert("RGB")


def _marks(image: Image.Image) -> list[tuple[str, Strength, str | None]]:
    return [(s.match.mark.text, s.strength, s.match.cut) for s in find_marks(image)]


def test_the_table_has_a_source_for_every_mark() -> None:
    marks = load_marks()
    assert len(marks) >= 10 and all(m.source.strip() for m in marks)
    assert {"AI生成", "豆包AI生成", "即梦AI", "由AI生成", "AI-generated", "Made with AI", "Imagined with AI"} <= {
        m.text for m in marks
    }


def test_fuzzy_matching_of_ocr_lines() -> None:
    assert match_line("豆包AI生成").mark.text == "豆包AI生成"  # type: ignore[union-attr]
    assert match_line("lmagined with Al").mark.text == "Imagined with AI"  # type: ignore[union-attr]  # OCR's l/I
    cut = match_line("豆包A")
    assert cut is not None and cut.cut == "end" and cut.mark.text == "豆包AI生成"
    for text in ("AI", "SMART AI", "Made with AI technology inside every bottle", "生成", "44"):
        assert match_line(text) is None, text


def test_a_cut_part_that_fits_several_marks_names_no_generator_on_a_guess() -> None:
    tail = match_line("I生成")  # the end of 豆包AI生成, 由AI生成, AI生成...
    assert tail is not None and tail.mark.text == "AI生成" and tail.cut == "start"
    assert {"豆包AI生成", "由AI生成"} <= {m.text for m in tail.alternatives}
    meta = match_line("with Al")  # the end of both Meta marks
    assert meta is not None and set(meta.generators) == {"Meta AI (Imagine)", "Meta (Facebook / Instagram label)"}


CALM = "product-photos/skimage__coffee.png"  # smooth background: where a 30 % mark still shows


@pytest.mark.parametrize(
    ("text", "px", "opacity", "corner", "name"),
    [
        ("豆包AI生成", 24, 0.6, "top-right", PHOTO),
        ("即梦AI", 48, 1.0, "bottom-left", PHOTO),
        ("AI生成", 16, 0.5, "top-right", PHOTO),
        ("Imagined with AI", 20, 0.8, "bottom-left", PHOTO),
        ("Made with AI", 32, 0.5, "bottom-left", PHOTO),
        ("由AI生成", 12, 1.0, "bottom-right", PHOTO),
        ("豆包AI生成", 32, 0.3, "bottom-right", CALM),
        ("AI-generated", 24, 0.3, "top-left", CALM),
    ],
)
def test_a_clear_mark_is_strong_and_outlined(
    ocr: None, testdata: Path, text: str, px: int, opacity: float, corner: str, name: str
) -> None:
    with Image.open(testdata / name) as im:
        photo = im.convert("RGB")
    marked, box = draw_mark(photo, text, px, opacity, corner, latin=True)
    [sighting] = find_marks(marked)
    assert sighting.match.mark.text == text and sighting.strength is Strength.STRONG
    x, y, w, _ = sighting.line.box
    assert abs(x - box[0]) <= max(6, px) and abs(y - box[1]) <= max(6, px), (sighting.line.box, box)
    assert abs(w - box[2]) <= box[2] // 3


def test_after_resize_and_jpeg_q50(ocr: None, photo: Image.Image) -> None:
    marked, _ = draw_mark(photo, "豆包AI生成", 40, 0.7, "bottom-right")
    small = marked.resize((marked.width // 2, marked.height // 2), Image.Resampling.LANCZOS)
    assert _marks(jpeg_roundtrip(small, 50)) == [("豆包AI生成", Strength.STRONG, None)]


def test_a_large_photo_reads_a_small_corner_mark(ocr: None, photo: Image.Image) -> None:
    big = photo.resize((3000, 3000 * photo.height // photo.width), Image.Resampling.BICUBIC)
    marked, _ = draw_mark(big, "Imagined with AI", 14, 0.8, "bottom-left", latin=True)
    assert _marks(marked) == [("Imagined with AI", Strength.STRONG, None)]


@pytest.mark.parametrize(("text", "corner"), [("豆包AI生成", "bottom-right"), ("Imagined with AI", "bottom-left")])
def test_a_half_cropped_mark_is_moderate(ocr: None, photo: Image.Image, text: str, corner: str) -> None:
    marked, box = draw_mark(photo, text, 32, 0.8, corner, latin=True)
    [(mark, strength, cut)] = _marks(cut_half(marked, box, corner))
    assert mark == text and strength is Strength.MODERATE
    assert cut == ("end" if corner.endswith("right") else "start")


def test_a_cut_fragment_away_from_the_edge_is_not_a_mark(ocr: None, photo: Image.Image) -> None:
    """The beginning of a mark written where no crop could have cut it (mid-photo, far from the sides)."""
    marked, _ = draw_mark(photo, "豆包A", 32, 1.0, "bottom-right")
    shifted = Image.new("RGB", (marked.width + 200, marked.height), (128, 128, 128))
    shifted.paste(marked, (0, 0))
    assert _marks(shifted) == []


def test_untouched_photos_and_printed_packaging_give_no_mark(ocr: None, testdata: Path) -> None:
    for name in (PHOTO, PACKAGING, "exif-camera/Canon_40D.jpg", "product-photos/skimage__coffee.png"):
        with Image.open(testdata / name) as im:
            assert find_marks(im.convert("RGB")) == [], name


def test_ai_words_printed_on_the_product_do_not_fire(ocr: None, photo: Image.Image) -> None:
    """A box printed with "AI" and even "AI生成" in the middle of the photo: wrong place, not a label."""
    printed = photo.copy()
    draw = ImageDraw.Draw(printed)
    cx, cy = printed.width // 2, printed.height // 2
    draw.rectangle((cx - 160, cy - 70, cx + 160, cy + 70), fill=(250, 250, 250))
    draw.text((cx - 140, cy - 60), "SMART AI", font=font_for("SMART AI", 40, latin=True), fill=(20, 20, 20))
    draw.text((cx - 140, cy + 5), "AI生成图案", font=font_for("AI生成图案", 40), fill=(20, 20, 20))
    assert _marks(printed) == []


def test_the_check_writes_a_zoomed_evidence_image(ocr: None, photo: Image.Image, tmp_path: Path) -> None:
    marked, _ = draw_mark(photo, "即梦AI", 20, 0.6, "bottom-right")
    path = tmp_path / "marked.png"
    marked.save(path)
    source = read_source(path)
    ctx = CheckContext(source=source, facts=probe(source), artifact_dir=tmp_path / "art")
    [finding] = VisibleMarkCheck().run(ctx)
    assert finding.category is Category.AI_LABEL and finding.strength is Strength.STRONG
    assert finding.evidence["generator"] == "Jimeng / Dreamina (ByteDance)"
    assert "即梦AI" in finding.detail("zh_CN") and finding.limits("en")
    [image] = finding.images
    with Image.open(image.path) as zoom:
        assert zoom.height >= 120  # enlarged so the reader can read it
    assert len(finding.regions) == 1
