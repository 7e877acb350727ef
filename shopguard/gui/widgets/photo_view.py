"""PhotoView: a zoomable, pannable photo with outlined regions and an optional blended overlay."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPen, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

ZOOM_STEP = 1.25
REGION_COLOUR = QColor("#e03131")


class PhotoView(QGraphicsView):
    """Shows one image fitted to the view; the wheel zooms, dragging pans.

    ``set_regions`` draws boxes given in the photo's own pixel coordinates (the image may be shown
    reduced: ``source_width`` tells the scale). ``set_overlay`` blends a second image on top.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QColor("#f3f5f8"))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self._pixmap_item: QGraphicsPixmapItem | None = None
        self._overlay_item: QGraphicsPixmapItem | None = None
        self._region_items: list[QGraphicsRectItem] = []
        self._fitted = True

    @property
    def has_image(self) -> bool:
        return self._pixmap_item is not None

    def clear_image(self) -> None:
        self.scene().clear()
        self._pixmap_item = None
        self._overlay_item = None
        self._region_items = []

    def set_image(self, image: QImage) -> None:
        self.clear_image()
        self._pixmap_item = self.scene().addPixmap(QPixmap.fromImage(image))
        self._pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().setSceneRect(QRectF(image.rect()))
        self.fit()

    def set_overlay(self, image: QImage | None, opacity: float = 0.5) -> None:
        if self._overlay_item is not None:
            self.scene().removeItem(self._overlay_item)
            self._overlay_item = None
        if image is None or self._pixmap_item is None:
            return
        base = self._pixmap_item.pixmap()
        scaled = QPixmap.fromImage(image).scaled(
            base.size(), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self._overlay_item = self.scene().addPixmap(scaled)
        self._overlay_item.setOpacity(opacity)

    def set_overlay_opacity(self, opacity: float) -> None:
        if self._overlay_item is not None:
            self._overlay_item.setOpacity(opacity)

    @property
    def overlay_opacity(self) -> float | None:
        return self._overlay_item.opacity() if self._overlay_item is not None else None

    def set_regions(self, regions: Sequence[Sequence[int]], source_width: int) -> None:
        """Outline ``regions`` ((x, y, w, h) in a photo ``source_width`` pixels wide)."""
        for item in self._region_items:
            self.scene().removeItem(item)
        self._region_items = []
        if self._pixmap_item is None or source_width <= 0:
            return
        scale = self._pixmap_item.pixmap().width() / source_width
        pen = QPen(REGION_COLOUR, max(2.0, 3.0 / max(self.transform().m11(), 0.01)))
        pen.setCosmetic(True)
        for x, y, w, h in regions:
            item = self.scene().addRect(QRectF(x * scale, y * scale, w * scale, h * scale), pen)
            self._region_items.append(item)

    @property
    def region_count(self) -> int:
        return len(self._region_items)

    def fit(self) -> None:
        if self._pixmap_item is not None:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
            self._fitted = True

    def zoom(self, factor: float) -> None:
        self._fitted = False
        self.scale(factor, factor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._pixmap_item is None:
            return
        self.zoom(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()
