"""Text in the pixels (OCR): the one module that owns the bundled PP-OCR models.

The models are PaddleOCR's PP-OCRv4 Chinese/English text detector and recogniser, as the ``.onnx``
files the ``rapidocr-onnxruntime`` wheel ships (Apache-2.0), so nothing is fetched at run time. They
run on OpenCV's DNN module (``cv2.dnn``), which the app already carries for its pixel checks; the
pre- and post-processing around them is RapidOCR 1.4.4's, step for step (resizing, DB box
extraction with its polygon "unclip", perspective crops, CTC decoding), written here with
numpy and cv2 only. So the bundle needs neither onnxruntime (35 MB) nor RapidOCR's geometry helpers
(shapely, pyclipper) nor PyYAML (13 MB): issue 14. RapidOCR's Python package is never imported (it
imports onnxruntime); its wheel is installed only for the model files, with ``--no-deps``
(scripts/install-ocr.sh), because it declares ``opencv-python``, whose ``cv2`` would overwrite the
``opencv-python-headless`` one ShopGuard pins.

Loading takes a fraction of a second, so it happens on the first call, never at import: the window
starts without it. The parsed character list is kept for the process; the networks are kept per
thread, because a ``cv2.dnn.Net`` holds its buffers and is not safe to run from two threads at once
(the app runs at most two checks at a time, so at most two copies).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shopguard.errors import ShopGuardError

log = logging.getLogger(__name__)

DET_LIMIT_SIDE_PX = 2000
"""Detection sees the tile at up to this long side (callers already cut tiles to the size they want
read, so it should not shrink them much). It is the limit RapidOCR 1.4.4 applied for ``limit_type
"max"`` whatever was configured (its ``get_preprocess`` picks 960/1500/2000 by the tile's long side,
and a tile under that limit is never shrunk), kept so the text read stays the same."""
MIN_SCORE = 0.5
"""RapidOCR's own default recognition threshold: lower scores are mostly texture read as letters."""

MODEL_PACKAGE = "rapidocr_onnxruntime"
"""The installed (never imported) package whose ``models/`` folder holds the ONNX files."""
DET_MODEL = "ch_PP-OCRv4_det_infer.onnx"
REC_MODEL = "ch_PP-OCRv4_rec_infer.onnx"

# PP-OCR's DB detector post-processing (RapidOCR config.yaml, Det): a pixel is text above 0.3, a box
# is kept when its mean probability is at least 0.5, and grown by area * 1.6 / perimeter, because the
# network was trained to mark a shrunk core of each text line.
_DB_THRESH = 0.3
_DB_BOX_THRESH = 0.5
_DB_MAX_CANDIDATES = 1000
_DB_UNCLIP_RATIO = 1.6
_DB_MIN_SIZE = 3
# The recogniser's input: 48 px high, at least 320 px wide, up to six crops per batch (RapidOCR's Rec).
_REC_HEIGHT = 48
_REC_MIN_WIDTH = 320
_REC_BATCH = 6


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


@dataclass(frozen=True)
class _Models:
    det_path: Path
    rec_path: Path
    characters: tuple[str, ...]
    """Index 0 is the CTC blank, the last one a space (RapidOCR's CTCLabelDecode)."""


_LOADING = threading.Lock()
"""Held while the models load: two checks asking at once (they run on two threads) load them once."""
_THREAD = threading.local()


def _model_dir() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)  # finds the folder without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise OcrUnavailableError(reason=f"{MODEL_PACKAGE} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _read_varint(data: memoryview, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _protobuf_fields(data: memoryview) -> list[tuple[int, Any]]:
    """The top-level fields of a protobuf message: (field number, int or bytes view)."""
    fields: list[tuple[int, Any]] = []
    pos = 0
    while pos < len(data):
        tag, pos = _read_varint(data, pos)
        number, wire = tag >> 3, tag & 7
        value: Any
        if wire == 0:
            value, pos = _read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _read_varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > len(data):
            raise ValueError("truncated field")
        fields.append((number, value))
    return fields


def onnx_metadata(path: Path) -> dict[str, str]:
    """An ONNX model's ``metadata_props`` (ModelProto field 14: key 1, value 2), read without onnx.

    The recogniser keeps its character list there (key ``character``, one per line), as
    onnxruntime's ``custom_metadata_map`` would show it.
    """
    with memoryview(path.read_bytes()) as data:
        props: dict[str, str] = {}
        for number, value in _protobuf_fields(data):
            if number == 14 and isinstance(value, memoryview):
                entry = dict(_protobuf_fields(value))
                props[bytes(entry.get(1, b"")).decode()] = bytes(entry.get(2, b"")).decode()
        return props


def _shared_engine() -> tuple[_Models, Any, Any]:
    with _LOADING:
        models = _engine()
    nets = getattr(_THREAD, "nets", None)
    if nets is None or nets[0] is not models:
        nets = (models, *_load_nets(models))
        _THREAD.nets = nets
    return nets


@functools.cache
def _engine() -> _Models:
    folder = _model_dir()
    det, rec = folder / DET_MODEL, folder / REC_MODEL
    log.info("loading the bundled PP-OCR models from %s", folder)
    try:
        characters = onnx_metadata(rec)["character"].splitlines()
    except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
        raise OcrUnavailableError(reason=f"{rec}: {exc}") from exc
    if not det.is_file():
        raise OcrUnavailableError(reason=f"{det} is missing")
    return _Models(det, rec, ("blank", *characters, " "))


def _load_nets(models: _Models) -> tuple[Any, Any]:
    import cv2

    try:
        return cv2.dnn.readNet(str(models.det_path)), cv2.dnn.readNet(str(models.rec_path))
    except cv2.error as exc:
        raise OcrUnavailableError(reason=str(exc)) from exc


def load_engine() -> None:
    """Load the models now (benchmarks and tests call this to keep load time out of their numbers).

    Raises:
        OcrUnavailableError: the engine or its models are not installed.
    """
    _shared_engine()


def _clipper_round(value: float) -> int:
    return int(value - 0.5) if value < 0 else int(value + 0.5)


def _unit_normal(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
    if a == b:
        return 0.0, 0.0
    dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
    f = 1.0 / math.sqrt(dx * dx + dy * dy)
    return dy * f, -dx * f


def unclip(box: npt.NDArray[np.float32], distance: float) -> npt.NDArray[np.int64]:
    """Grow a closed polygon by ``distance`` with round corners: Clipper 6.4's ``ClipperOffset``
    (``JT_ROUND``, arc tolerance 0.25, integer coordinates), as RapidOCR ran it through pyclipper, so
    the grown box and the text crop are the same pixel for pixel. Only the outline's points are
    needed (the caller takes their minimum-area rectangle); Clipper's final union pass on one convex
    ring only drops repeated and collinear points and picks the first point, which
    ``_as_clipper_output`` does the same way (checked against pyclipper 1.4 on 20,000 random boxes:
    identical point arrays; tests/imaging/test_ocr.py holds cases worked out by pyclipper).
    """
    src: list[tuple[int, int]] = []
    for x, y in box.tolist():
        point = (int(x), int(y))  # pyclipper truncates float coordinates
        if not src or point != src[-1]:
            src.append(point)
    while len(src) > 1 and src[-1] == src[0]:
        src.pop()
    if len(src) < 3 or distance <= 0:
        return np.array(src, dtype=np.int64).reshape(-1, 1, 2)
    area = sum((float(src[j][0]) + src[i][0]) * (float(src[j][1]) - src[i][1]) for i, j in _pairs(len(src)))
    if -area * 0.5 < 0:  # Clipper's Orientation(): the outer ring must be counter-clockwise in its sense
        src.reverse()
    tolerance = min(0.25, distance * 0.25)
    steps = math.pi / math.acos(1 - tolerance / distance)
    steps = min(steps, distance * math.pi)
    sin_step, cos_step = math.sin(2 * math.pi / steps), math.cos(2 * math.pi / steps)
    steps_per_rad = steps / (2 * math.pi)
    n = len(src)
    normals = [_unit_normal(src[j], src[(j + 1) % n]) for j in range(n)]
    out: list[tuple[int, int]] = []
    k = n - 1
    for j in range(n):
        (sx, sy), (kx, ky), (jx, jy) = src[j], normals[k], normals[j]
        sin_a = kx * jy - jx * ky
        if abs(sin_a * distance) < 1.0:
            if kx * jx + jy * ky > 0:
                out.append((_clipper_round(sx + kx * distance), _clipper_round(sy + ky * distance)))
                continue  # Clipper returns here without moving k on
        else:
            sin_a = max(-1.0, min(1.0, sin_a))
        if sin_a * distance < 0:
            out.append((_clipper_round(sx + kx * distance), _clipper_round(sy + ky * distance)))
            out.append((sx, sy))
            out.append((_clipper_round(sx + jx * distance), _clipper_round(sy + jy * distance)))
        else:
            angle = math.atan2(sin_a, kx * jx + ky * jy)
            count = max(_clipper_round(steps_per_rad * abs(angle)), 1)
            x, y = kx, ky
            for _ in range(count):
                out.append((_clipper_round(sx + x * distance), _clipper_round(sy + y * distance)))
                x, y = x * cos_step - sin_step * y, x * sin_step + y * cos_step
            out.append((_clipper_round(sx + jx * distance), _clipper_round(sy + jy * distance)))
        k = j
    return _as_clipper_output(out)


def _as_clipper_output(points: list[tuple[int, int]]) -> npt.NDArray[np.int64]:
    """Clipper's ``FixupOutPolygon``: drop repeated and collinear points, walking back after each
    removal; then start, as Clipper's union output does, right after the topmost (then rightmost) point."""
    n = len(points)
    nxt, prv = [(i + 1) % n for i in range(n)], [(i - 1) % n for i in range(n)]
    pp, last_ok = 0, -1
    while True:
        if prv[pp] == pp or prv[pp] == nxt[pp]:
            return np.zeros((0, 1, 2), dtype=np.int64)
        (ax, ay), (bx, by), (cx, cy) = points[prv[pp]], points[pp], points[nxt[pp]]
        if (bx, by) in ((ax, ay), (cx, cy)) or (by - ay) * (cx - bx) == (bx - ax) * (cy - by):
            last_ok = -1
            nxt[prv[pp]], prv[nxt[pp]] = nxt[pp], prv[pp]
            pp = prv[pp]
            continue
        if pp == last_ok:
            break
        if last_ok < 0:
            last_ok = pp
        pp = nxt[pp]
    ring = [pp]
    while nxt[ring[-1]] != pp:
        ring.append(nxt[ring[-1]])
    top = min(range(len(ring)), key=lambda i: (points[ring[i]][1], -points[ring[i]][0]))
    ring = ring[top + 1 :] + ring[: top + 1]
    return np.array([points[i] for i in ring], dtype=np.int64).reshape(-1, 1, 2)


def _pairs(n: int) -> list[tuple[int, int]]:
    return [(i, (i - 1) % n) for i in range(n)]


def _polygon_area_length(box: npt.NDArray[np.float32]) -> tuple[float, float]:
    pts = box.astype(np.float64)
    nxt = np.roll(pts, -1, axis=0)
    area = abs(float(np.sum(pts[:, 0] * nxt[:, 1] - nxt[:, 0] * pts[:, 1]))) / 2
    length = float(np.sum(np.hypot(*(nxt - pts).T)))
    return area, length


def _mini_box(contour: npt.NDArray[Any]) -> tuple[npt.NDArray[np.float32], float]:
    import cv2

    rect = cv2.minAreaRect(contour)
    points = sorted(cv2.boxPoints(rect), key=lambda p: p[0])
    left = (0, 1) if points[1][1] > points[0][1] else (1, 0)
    right = (2, 3) if points[3][1] > points[2][1] else (3, 2)
    box = np.array([points[left[0]], points[right[0]], points[right[1]], points[left[1]]])
    return box, min(rect[1])


def _box_score(pred: npt.NDArray[np.float32], box: npt.NDArray[np.float32]) -> float:
    import cv2

    h, w = pred.shape[:2]
    box = box.copy()
    xmin = int(np.clip(np.floor(box[:, 0].min()).astype(np.int32), 0, w - 1))
    xmax = int(np.clip(np.ceil(box[:, 0].max()).astype(np.int32), 0, w - 1))
    ymin = int(np.clip(np.floor(box[:, 1].min()).astype(np.int32), 0, h - 1))
    ymax = int(np.clip(np.ceil(box[:, 1].max()).astype(np.int32), 0, h - 1))
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), dtype=np.uint8)
    box[:, 0] -= xmin
    box[:, 1] -= ymin
    cv2.fillPoly(mask, [box.reshape(-1, 2).astype(np.int32)], 1)
    return float(cv2.mean(pred[ymin : ymax + 1, xmin : xmax + 1], mask)[0])


def _detect(net: Any, bgr: npt.NDArray[np.uint8]) -> list[npt.NDArray[np.float32]]:
    """Text-line quadrilaterals (clockwise from top-left) in ``bgr``'s pixels."""
    import cv2

    h, w = bgr.shape[:2]
    ratio = DET_LIMIT_SIDE_PX / max(h, w) if max(h, w) > DET_LIMIT_SIDE_PX else 1.0
    resize_h, resize_w = round(int(h * ratio) / 32) * 32, round(int(w * ratio) / 32) * 32
    if resize_h <= 0 or resize_w <= 0:
        return []
    resized = cv2.resize(bgr, (resize_w, resize_h))
    half = np.array([0.5, 0.5, 0.5])
    blob = ((resized.astype("float32") * (1 / 255.0) - half) / half).transpose((2, 0, 1))[None].astype(np.float32)
    net.setInput(blob)
    pred = net.forward()[0, 0]
    mask = cv2.dilate((pred > _DB_THRESH).astype(np.uint8), np.array([[1, 1], [1, 1]], dtype=np.uint8))
    contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    height, width = mask.shape
    boxes = []
    for contour in contours[:_DB_MAX_CANDIDATES]:
        points, side = _mini_box(contour)
        if side < _DB_MIN_SIZE or _box_score(pred, points.reshape(-1, 2)) < _DB_BOX_THRESH:
            continue
        area, length = _polygon_area_length(points)
        box, side = _mini_box(unclip(points, area * _DB_UNCLIP_RATIO / length))
        if side < _DB_MIN_SIZE + 2:
            continue
        box[:, 0] = np.clip(np.round(box[:, 0] / width * w), 0, w)
        box[:, 1] = np.clip(np.round(box[:, 1] / height * h), 0, h)
        quad = _clockwise(box.astype(np.int32).astype(np.float32))
        quad[:, 0] = np.clip(quad[:, 0], 0, w - 1).astype(np.int32)
        quad[:, 1] = np.clip(quad[:, 1], 0, h - 1).astype(np.int32)
        if int(np.linalg.norm(quad[0] - quad[1])) <= 3 or int(np.linalg.norm(quad[0] - quad[3])) <= 3:
            continue
        boxes.append(quad)
    return boxes


def _clockwise(pts: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    by_x = pts[np.argsort(pts[:, 0]), :]
    left, right = by_x[:2, :], by_x[2:, :]
    tl, bl = left[np.argsort(left[:, 1]), :]
    tr, br = right[np.argsort(right[:, 1]), :]
    return np.array([tl, tr, br, bl], dtype=np.float32)


def _crop(bgr: npt.NDArray[np.uint8], points: npt.NDArray[np.float32]) -> npt.NDArray[Any]:
    import cv2

    width = int(max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3])))
    height = int(max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2])))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(points, target)
    crop = cv2.warpPerspective(bgr, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    if crop.shape[0] / crop.shape[1] >= 1.5:
        crop = np.rot90(crop)
    return crop


def _rec_input(crop: npt.NDArray[np.uint8], max_wh_ratio: float) -> npt.NDArray[np.float32]:
    import cv2

    width = int(_REC_HEIGHT * max_wh_ratio)
    h, w = crop.shape[:2]
    resized_w = min(width, math.ceil(_REC_HEIGHT * w / float(h)))
    resized = cv2.resize(crop, (resized_w, _REC_HEIGHT)).astype("float32").transpose((2, 0, 1)) / 255
    resized -= 0.5
    resized /= 0.5
    padded = np.zeros((3, _REC_HEIGHT, width), dtype=np.float32)
    padded[:, :, :resized_w] = resized
    return padded


def _recognise(net: Any, characters: tuple[str, ...], crops: list[Any]) -> list[tuple[str, float]]:
    """CTC-decoded text and mean character confidence per crop, in batches of similar width."""
    ratios = [crop.shape[1] / float(crop.shape[0]) for crop in crops]
    order = np.argsort(np.array(ratios))
    results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    for start in range(0, len(crops), _REC_BATCH):
        batch = order[start : start + _REC_BATCH]
        max_ratio = max(_REC_MIN_WIDTH / _REC_HEIGHT, *(ratios[i] for i in batch))
        blob = np.concatenate([_rec_input(crops[i], max_ratio)[None] for i in batch]).astype(np.float32)
        net.setInput(blob)
        preds = net.forward()
        best, prob = preds.argmax(axis=2), preds.max(axis=2)
        for row, index in enumerate(batch):
            ids = best[row]
            keep = np.ones(len(ids), dtype=bool)
            keep[1:] = ids[1:] != ids[:-1]
            keep &= ids != 0
            conf = prob[row][keep].tolist() or [0]
            results[int(index)] = ("".join(characters[i] for i in ids[keep]), float(np.mean(conf)))
    return results


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
    models, det_net, rec_net = _shared_engine()
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])  # the PP-OCR models were trained on OpenCV's BGR order
    kept = []
    for pts in _detect(det_net, bgr):
        w = float(np.linalg.norm(pts[1] - pts[0]))
        h = float(np.linalg.norm(pts[3] - pts[0]))
        if h > 0 and w / h >= min_aspect:
            kept.append(pts)
    if not kept:
        return []
    recognised = _recognise(rec_net, models.characters, [_crop(bgr, pts) for pts in kept])
    lines: list[TextLine] = []
    for pts, (raw, score) in zip(kept, recognised, strict=True):
        text = raw.strip()
        if score < MIN_SCORE or not text:
            continue
        x0, y0 = pts.min(axis=0).astype(np.float64) / scale
        x1, y1 = pts.max(axis=0).astype(np.float64) / scale
        box = (int(x0) + offset[0], int(y0) + offset[1], max(1, int(x1 - x0)), max(1, int(y1 - y0)))
        lines.append(TextLine(text, score, box))
    return sorted(lines, key=lambda line: (line.box[1], line.box[0]))
