"""Text in the pixels (OCR): the one module that owns the bundled PP-OCR models.

The engine is RapidOCR's onnxruntime build (``rapidocr-onnxruntime``, Apache-2.0): its wheel ships
the PP-OCRv4 Chinese/English detection and recognition models as ``.onnx`` files, so nothing is
fetched at run time. It is installed without its declared ``opencv-python`` requirement because
ShopGuard pins ``opencv-python-headless``: both wheels install the same ``cv2`` package, and the
non-headless one brings its own Qt plugins that clash with PySide6 (see benchmarks/README.md,
"Visible marks"). The engine's other needs (onnxruntime, pyclipper, shapely, PyYAML) are ordinary
dependencies in pyproject.toml.

Loading takes about a second, so it happens on the first call, never at import: the window starts
without it. The loaded engine is kept for the process (``_engine`` is cached): onnxruntime sessions
are safe to run from several threads, and the models never change. Each session uses one thread
(``intra_op_num_threads=1``): the app runs at most two jobs on two cores, and a check must not take
both.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopguard.errors import ShopGuardError

log = logging.getLogger(__name__)

DET_LIMIT_SIDE_PX = 2048
"""Detection sees the tile at up to this long side: callers already cut tiles to the size they want
read, so the engine should not shrink them again (its default shrinks to 736 px on the short side)."""
MIN_SCORE = 0.5
"""RapidOCR's own default recognition threshold: lower scores are mostly texture read as letters."""


class OcrUnavailableError(ShopGuardError):
    """The OCR engine or its bundled models cannot be loaded (a broken install)."""

    default_key = "error.ocr.unavailable"


@dataclass(frozen=True)
class TextLine:
    """One line of text read from the pixels.

    Attributes:
        text: the recognised characters.
        score: the recogniser's mean character confidence, 0..1 (not a probability of anything else).
        box: ``(x, y, w, h)`` bounding the detected text polygon, in the coordinates of the image the
            caller passed, after ``offset`` and ``scale`` are undone.
    """

    text: str
    score: float
    box: tuple[int, int, int, int]


_LOADING = threading.Lock()
"""Held while the models load: two checks asking at once (they run on two threads) load them once."""


def _shared_engine() -> Any:
    with _LOADING:
        return _engine()


@functools.cache
def _engine() -> Any:
    try:
        # heavy: onnxruntime + models, loaded on first use; the package ships no type information
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]
    except ImportError as exc:
        raise OcrUnavailableError(reason=str(exc)) from exc
    log.info("loading the bundled PP-OCR models")
    return RapidOCR(
        intra_op_num_threads=1,
        inter_op_num_threads=1,
        det_limit_type="max",
        det_limit_side_len=DET_LIMIT_SIDE_PX,
        max_side_len=DET_LIMIT_SIDE_PX,
        use_cls=False,
        print_verbose=False,
    )


def load_engine() -> None:
    """Load the models now (benchmarks and tests call this to keep load time out of their numbers).

    Raises:
        OcrUnavailableError: the engine or its models are not installed.
    """
    _shared_engine()


def read_text(
    rgb: npt.NDArray[np.uint8],
    offset: tuple[int, int] = (0, 0),
    scale: float = 1.0,
    min_aspect: float = 0.0,
) -> list[TextLine]:
    """Every text line found in an RGB tile.

    Detection runs on the whole tile; recognition (the costly part) only on boxes at least
    ``min_aspect`` times as wide as tall, so a caller looking for words of several characters skips
    the digits and texture blobs a photo is full of.

    Args:
        rgb: ``(h, w, 3)`` uint8 RGB pixels (a tile cut from a photo, possibly reduced).
        offset: where the tile's top-left corner sits in the full photo, in full-photo pixels.
        scale: the tile's size over its size in the full photo (0.5 = the tile was halved), so the
            boxes come back in full-photo pixels.
        min_aspect: the narrowest width/height of a box worth recognising.

    Returns:
        Lines with score at least ``MIN_SCORE``, top to bottom.

    Raises:
        OcrUnavailableError: the engine or its models are not installed.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 8 or rgb.shape[1] < 8:
        return []
    engine = _shared_engine()
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])  # the PP-OCR models were trained on OpenCV's BGR order
    # RapidOCR 1.4.4's own stages (detector, crop, recogniser), so boxes can be filtered in between.
    boxes, _ = engine.text_det(bgr)
    if boxes is None or len(boxes) == 0:
        return []
    kept = []
    for points in boxes:
        pts = np.asarray(points, dtype=np.float32)  # the crop step needs float32 corners
        w = float(np.linalg.norm(pts[1] - pts[0]))
        h = float(np.linalg.norm(pts[3] - pts[0]))
        if h > 0 and w / h >= min_aspect:
            kept.append(pts)
    if not kept:
        return []
    recognised, _ = engine.text_rec(engine.get_crop_img_list(bgr, kept))
    lines: list[TextLine] = []
    for pts, item in zip(kept, recognised, strict=True):
        text, score = str(item[0]).strip(), float(item[1])
        if score < MIN_SCORE or not text:
            continue
        x0, y0 = pts.min(axis=0).astype(np.float64) / scale
        x1, y1 = pts.max(axis=0).astype(np.float64) / scale
        box = (int(x0) + offset[0], int(y0) + offset[1], max(1, int(x1 - x0)), max(1, int(y1 - y0)))
        lines.append(TextLine(text, score, box))
    return sorted(lines, key=lambda line: (line.box[1], line.box[0]))
