"""The OCR engine loads its bundled models and reads text with every network connection refused."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from shopguard.imaging import ocr
from tests.checks.visible_mark_support import font_for


def test_models_load_and_read_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network use by the OCR engine")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    ocr._engine.cache_clear()  # load again here, under the refusal, even if another test loaded it
    ocr.load_engine()
    image = Image.new("RGB", (360, 90), (250, 250, 250))
    ImageDraw.Draw(image).text((20, 20), "退货 AI生成", font=font_for("退货 AI生成", 40), fill=(10, 10, 10))
    [line] = ocr.read_text(np.asarray(image), offset=(100, 50), scale=0.5)
    assert line.text.replace(" ", "") == "退货AI生成" and line.score > 0.8
    x, y, w, _ = line.box  # boxes come back in full-photo pixels: offset added, scale undone
    assert 100 + 2 * 10 <= x <= 100 + 2 * 30 and 50 + 2 * 10 <= y <= 50 + 2 * 30 and w > 2 * 200


def test_blank_and_tiny_tiles_read_nothing() -> None:
    assert ocr.read_text(np.full((200, 300, 3), 128, dtype=np.uint8)) == []
    assert ocr.read_text(np.zeros((4, 300, 3), dtype=np.uint8)) == []


# Grown boxes worked out by pyclipper 1.4 (Clipper 6.4.2, ``PyclipperOffset`` with ``JT_ROUND`` and
# ``ET_CLOSEDPOLYGON``), the library RapidOCR used before the OCR moved to cv2.dnn: ocr.unclip must give the
# same points, in the same order, so the boxes and crops stay pixel for pixel what they were (issue 14).
UNCLIP_CASES = [
    (
        [[40.3, 65.7], [40.3, 35.7], [160.3, 35.7], [160.3, 65.7]],
        19.19999804687495,
        [[166, 17], [172, 20], [176, 24], [178, 30], [179, 35], [179, 65], [178, 71], [175, 77], [171, 81], [165, 83],
         [160, 84], [40, 84], [34, 83], [28, 80], [24, 76], [22, 70], [21, 65], [21, 35], [22, 29], [25, 23],
         [29, 19], [35, 17], [40, 16], [160, 16]],
    ),
    (
        [[219.3974609375, 260.3923034667969], [207.3974609375, 239.60769653320312],
         [380.6025390625, 139.60769653320312], [392.6025390625, 160.39230346679688]],
        17.142855387865264,
        [[388, 124], [393, 128], [395, 130], [407, 151], [409, 157], [409, 163], [407, 168], [403, 173], [401, 175],
         [228, 275], [222, 277], [216, 277], [211, 275], [206, 271], [204, 269], [192, 248], [190, 242], [190, 236],
         [192, 231], [196, 226], [198, 224], [371, 124], [377, 122], [383, 122]],
    ),
    (
        [[16.665477752685547, 20.90811538696289], [20.90811538696289, 16.665477752685547],
         [63.33452224731445, 59.09188461303711], [59.09188461303711, 63.33452224731445]],
        4.3636335063531435,
        [[23, 13], [66, 56], [67, 59], [66, 62], [62, 66], [59, 67], [56, 66], [13, 23], [12, 20], [13, 17], [17, 13],
         [20, 12]],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("box", "distance", "expected"), UNCLIP_CASES)
def test_unclip_grows_boxes_as_clipper_did(box: list[list[float]], distance: float, expected: list[list[int]]) -> None:
    grown = ocr.unclip(np.array(box, dtype=np.float32), distance)
    assert grown.reshape(-1, 2).tolist() == expected


def test_recogniser_character_list_is_read_from_the_model() -> None:
    ocr.load_engine()
    models = ocr._engine()
    meta = ocr.onnx_metadata(models.rec_path)
    assert set(meta) == {"character"}
    chars = models.characters
    # CTC blank first, the space RapidOCR appends last; the PP-OCRv4 Chinese dictionary in between.
    assert chars[0] == "blank" and chars[-1] == " " and len(chars) == len(meta["character"].splitlines()) + 2
    assert {"A", "I", "生", "成", "豆", "包"} <= set(chars)


def test_truncated_model_metadata_is_an_error(tmp_path: Path) -> None:
    damaged = tmp_path / "rec.onnx"
    damaged.write_bytes(b"\x72\x20\x0a\x09character")  # field 14, 32 bytes announced, 11 present
    with pytest.raises(ValueError, match="truncated"):
        ocr.onnx_metadata(damaged)
