"""The OCR engine loads its bundled models and reads text with every network connection refused."""

from __future__ import annotations

import socket

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
