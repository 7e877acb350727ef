"""EvidenceView: the tabs that show why a finding was made.

Tabs: the photo (with outlined regions), side by side with the matched listing photo, the changed
region as an overlay with a before/after slider, forensic maps (ELA, noise, heat maps) and a table of
file facts and measured values. Images are decoded in a job; clicking a finding selects its tab.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shopguard.cases.model import CasePhoto
from shopguard.checks.findings import Finding
from shopguard.gui.images import load_qimages
from shopguard.gui.state import AppState
from shopguard.gui.widgets.photo_view import PhotoView
from shopguard.i18n.local_time import format_time, is_iso_time

# Evidence image kinds written by the checks (checks/findings.py EvidenceImage.kind). "listing" is the
# listing photo warped onto the buyer's photo, so blending the two is a true before/after.
ALIGNED_LISTING_KINDS = ("listing",)
OVERLAY_KINDS = ("changed-outline", "heatmap", "diff", "changed-mask")
COMPARE_KINDS = ("side-by-side", "listing")
# A thin crack or a faint patch is a few pixels of the whole photo: its enlarged crop (buyer's photo beside
# the listing photo, same place) is shown under the changed-region view, so the seller sees it at once.
ZOOM_KINDS = ("changed-zoom",)


def _labelled(view: QWidget, caption: QLabel) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 4, 4, 4)
    caption.setObjectName("muted")
    caption.setWordWrap(True)
    layout.addWidget(caption)
    layout.addWidget(view, 1)
    return box


class EvidenceView(QTabWidget):
    """Evidence for one photo of a case.

    Signals:
        images_loaded(): the pictures of the current photo are on screen.
    """

    images_loaded = Signal()
    TAB_PHOTO, TAB_COMPARE, TAB_CHANGED, TAB_MAPS, TAB_DETAILS = range(5)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.photo: CasePhoto | None = None
        self.finding: Finding | None = None
        self.images: dict[str, QImage] = {}
        self.photo_view = PhotoView()
        self.photo_caption = QLabel()
        self.addTab(_labelled(self.photo_view, self.photo_caption), "")
        compare = QWidget()
        row = QHBoxLayout(compare)
        self.buyer_view, self.listing_view = PhotoView(), PhotoView()
        self.buyer_caption, self.listing_caption = QLabel(), QLabel()
        row.addWidget(_labelled(self.buyer_view, self.buyer_caption))
        row.addWidget(_labelled(self.listing_view, self.listing_caption))
        self.addTab(compare, "")
        changed = QWidget()
        changed_layout = QVBoxLayout(changed)
        self.changed_caption = QLabel()
        self.changed_view = PhotoView()
        slider_row = QHBoxLayout()
        self.before_label, self.after_label = QLabel(), QLabel()
        self.overlay_slider = QSlider(Qt.Orientation.Horizontal)
        self.overlay_slider.setRange(0, 100)
        # Start on the buyer's photo (outlines drawn on it) so the seller sees the claimed damage first;
        # sliding right fades in the listing photo or evidence picture.
        self.overlay_slider.setValue(0)
        self.overlay_slider.valueChanged.connect(lambda v: self.changed_view.set_overlay_opacity(v / 100))
        slider_row.addWidget(self.before_label)
        slider_row.addWidget(self.overlay_slider, 1)
        slider_row.addWidget(self.after_label)
        changed_layout.addWidget(_labelled(self.changed_view, self.changed_caption), 3)
        changed_layout.addLayout(slider_row)
        self.zoom_caption = QLabel()
        self.zoom_view = PhotoView()
        self.zoom_box = _labelled(self.zoom_view, self.zoom_caption)
        self.zoom_box.setVisible(False)
        changed_layout.addWidget(self.zoom_box, 2)
        # A view's size hint follows its picture: ignore it, so the 3:2 stretch decides the heights.
        for view in (self.changed_view, self.zoom_view):
            view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.addTab(changed, "")
        maps = QWidget()
        maps_layout = QVBoxLayout(maps)
        self.map_combo = QComboBox()
        self.map_combo.currentIndexChanged.connect(self._on_map_combo_changed)
        self.map_view = PhotoView()
        self.map_caption = QLabel()  # kept for the finding's limits; the combo already names the map
        maps_layout.addWidget(self.map_combo)
        maps_layout.addWidget(_labelled(self.map_view, self.map_caption), 1)
        self.addTab(maps, "")
        self.details_table = QTableWidget(0, 2)
        self.details_table.verticalHeader().setVisible(False)
        self.details_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.details_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.details_table.setAlternatingRowColors(True)
        self.addTab(self.details_table, "")
        state.language_changed.connect(self.retranslate)
        self.retranslate()

    # --- loading --------------------------------------------------------------------------------
    def clear_photo(self) -> None:
        """Show nothing (a photo whose checks have not finished yet)."""
        self.photo, self.finding, self.images = None, None, {}
        for view in (self.photo_view, self.buyer_view, self.listing_view, self.changed_view, self.map_view):
            view.clear_image()
        self._show_zoom(None)
        self.map_combo.clear()
        self._fill_details()
        self._update_tabs()
        self.setCurrentIndex(self.TAB_PHOTO)

    def show_photo(self, photo: CasePhoto) -> None:
        """Show ``photo``; its pictures are decoded in a job and appear when ready."""
        self.photo, self.finding, self.images = photo, None, {}
        for view in (self.photo_view, self.buyer_view, self.listing_view, self.changed_view, self.map_view):
            view.clear_image()
        self._show_zoom(None)
        self.overlay_slider.setValue(0)  # each photo starts on the buyer's own picture
        paths: list[str] = [photo.picture_path] if photo.picture_path else []
        for f in photo.findings:
            if f.library_photo:
                paths.append(f.library_photo)
            paths.extend(img.path for img in f.images)
        self._fill_details()
        self._update_tabs()
        wanted = tuple(dict.fromkeys(paths))

        def on_loaded(images: dict[str, QImage]) -> None:
            self._on_images_loaded(photo, images)

        self.state.runner.submit(lambda progress, cancel: load_qimages(wanted), on_success=on_loaded)

    def _on_images_loaded(self, photo: CasePhoto, images: dict[str, QImage]) -> None:
        if photo is not self.photo:
            return  # the user moved on to another photo meanwhile
        self.images = images
        self._render()
        self.images_loaded.emit()

    # --- rendering ------------------------------------------------------------------------------
    def _image_of_kind(self, kinds: tuple[str, ...]) -> tuple[QImage, str] | None:
        findings = [self.finding] if self.finding else []
        findings += list(self.photo.findings) if self.photo else []
        for f in findings:
            for img in f.images:
                if img.kind in kinds and img.path in self.images:
                    return self.images[img.path], img.caption_key
        return None

    def _library_photo(self) -> str | None:
        candidates = [self.finding] if self.finding else []
        candidates += list(self.photo.findings) if self.photo else []
        for f in candidates:
            if f.library_photo and f.library_photo in self.images:
                return f.library_photo
        return None

    def _map_images(self) -> list[tuple[str, str]]:
        """Every evidence picture except the aligned listing (it has its own tabs): heat maps, ELA, noise…"""
        if self.photo is None:
            return []
        return [
            (img.path, img.caption_key)
            for f in self.photo.findings
            for img in f.images
            if img.kind not in COMPARE_KINDS and img.path in self.images
        ]

    def _render(self) -> None:
        photo, t = self.photo, self.state.t
        if photo is None:
            return
        own = self.images.get(photo.picture_path or "")
        findings = [self.finding] if self.finding else list(photo.findings)
        regions = [r for f in findings for r in f.regions]
        if own is not None:
            for view in (self.photo_view, self.buyer_view, self.changed_view):
                view.set_image(own)
            self.photo_view.set_regions(regions, photo.width)
            self.changed_view.set_regions(regions, photo.width)
        library = self._library_photo()
        aligned = self._image_of_kind(ALIGNED_LISTING_KINDS)
        if aligned is not None:
            self.listing_view.set_image(aligned[0])
        elif library:
            self.listing_view.set_image(self.images[library])
        overlay = aligned or self._image_of_kind(OVERLAY_KINDS)
        self.after_label.setText(t("gui.evidence.after_listing" if aligned else "gui.evidence.after"))
        if overlay is not None:
            self.changed_view.set_overlay(overlay[0], self.overlay_slider.value() / 100)
            self.changed_caption.setText(t("gui.evidence.changed_caption", evidence=t(overlay[1])))
        else:
            # Never blend the unaligned listing photo: a misaligned overlay would suggest changes
            # that are not there. Without an aligned evidence image only the outlines are shown.
            self.changed_caption.setText(t("gui.evidence.regions_only"))
        self.overlay_slider.setEnabled(overlay is not None)
        self._show_zoom(self._image_of_kind(ZOOM_KINDS))
        self.map_combo.blockSignals(True)
        self.map_combo.clear()
        for path, caption_key in self._map_images():
            self.map_combo.addItem(t(caption_key), path)
        self.map_combo.blockSignals(False)
        self._on_map_combo_changed(0)
        self._update_tabs()
        self.retranslate()
        if not self.isTabEnabled(self.currentIndex()):
            self.setCurrentIndex(self.TAB_PHOTO)

    def _show_zoom(self, zoom: tuple[QImage, str] | None) -> None:
        """The enlarged changed region under the changed-region view, or nothing."""
        if zoom is None:
            self.zoom_view.clear_image()
            self.zoom_box.setVisible(False)
            return
        self.zoom_view.set_image(zoom[0])
        self.zoom_caption.setText(self.state.t(zoom[1]))
        self.zoom_box.setVisible(True)

    def _on_map_combo_changed(self, index: int) -> None:
        path = self.map_combo.itemData(index) if index >= 0 else None
        if path and path in self.images:
            self.map_view.set_image(self.images[path])
            self.map_caption.setText(self.state.t("gui.evidence.map_hint"))
        else:
            self.map_view.clear_image()

    def _update_tabs(self) -> None:
        has_library = self._library_photo() is not None
        has_regions = self.photo is not None and any(f.regions for f in self.photo.findings)
        has_overlay = has_regions or self._image_of_kind(OVERLAY_KINDS + ALIGNED_LISTING_KINDS) is not None
        self.setTabEnabled(self.TAB_COMPARE, has_library)
        self.setTabEnabled(self.TAB_CHANGED, has_overlay)
        self.setTabEnabled(self.TAB_MAPS, bool(self._map_images()))

    def _fill_details(self) -> None:
        photo, t = self.photo, self.state.t
        rows: list[tuple[str, Any]] = []
        if photo is not None:
            rows += [
                (t("gui.details.name"), photo.name),
                (t("gui.details.format"), photo.format),
                (t("gui.details.size"), f"{photo.width} × {photo.height}"),
                (t("gui.details.bytes"), f"{photo.size_bytes:,}"),
                ("SHA-256", photo.sha256),
                (t("gui.details.received"), format_time(photo.received_at, self.state.lang)),
                (t("gui.details.mtime"), format_time(photo.file_mtime, self.state.lang) or "—"),
            ]
            findings = [self.finding] if self.finding else list(photo.findings)
            for f in findings:
                for key, value in f.evidence.items():
                    shown = format_time(value, self.state.lang) if is_iso_time(value) else value
                    rows.append((f"{f.check} · {key}", shown))
        self.details_table.setRowCount(len(rows))
        for row, (name, value) in enumerate(rows):
            self.details_table.setItem(row, 0, QTableWidgetItem(str(name)))
            self.details_table.setItem(row, 1, QTableWidgetItem(str(value)))
        self.details_table.resizeColumnToContents(0)

    # --- findings -------------------------------------------------------------------------------
    def show_finding(self, finding: Finding | None) -> None:
        """Show the evidence of ``finding`` (None: the whole photo) and pick the tab that fits it."""
        self.finding = finding
        self._fill_details()
        if self.images:
            self._render()
        if finding is None:
            return
        own_maps = [img.path for img in finding.images if img.kind not in COMPARE_KINDS]
        if own_maps and (index := self.map_combo.findData(own_maps[0])) >= 0:
            self.map_combo.setCurrentIndex(index)  # the finding's own map, not another check's
        kinds = {img.kind for img in finding.images}
        if kinds & set(OVERLAY_KINDS) or (finding.regions and finding.library_photo):
            # a changed region on a matched listing photo: the before/after view says the most
            self.setCurrentIndex(self.TAB_CHANGED)
        elif finding.library_photo:
            self.setCurrentIndex(self.TAB_COMPARE)
        elif any(img.kind not in COMPARE_KINDS for img in finding.images):
            self.setCurrentIndex(self.TAB_MAPS)
        elif finding.regions:
            self.setCurrentIndex(self.TAB_PHOTO)
        else:
            self.setCurrentIndex(self.TAB_DETAILS)

    def retranslate(self) -> None:
        t = self.state.t
        for index, key in enumerate(("photo", "compare", "changed", "maps", "details")):
            self.setTabText(index, t(f"gui.evidence.tab.{key}"))
            self.setTabToolTip(index, t(f"gui.evidence.tip.{key}"))
        self.photo_caption.setText(t("gui.evidence.photo_caption"))
        self.buyer_caption.setText(t("gui.evidence.buyer_photo"))
        library = self._library_photo() if self.photo else None
        name = library.replace("\\", "/").rsplit("/", 1)[-1] if library else ""
        self.listing_caption.setText(t("gui.evidence.listing_photo", name=name))
        aligned = self._image_of_kind(ALIGNED_LISTING_KINDS) if self.photo else None
        overlay = aligned or (self._image_of_kind(OVERLAY_KINDS) if self.photo else None)
        # The slider starts on the buyer's photo: the caption says so and names what sliding fades in.
        caption = t("gui.evidence.changed_caption", evidence=t(overlay[1])) if overlay else None
        self.changed_caption.setText(caption or t("gui.evidence.regions_only"))
        zoom = self._image_of_kind(ZOOM_KINDS) if self.photo else None
        if zoom is not None:
            self.zoom_caption.setText(t(zoom[1]))
        self.before_label.setText(t("gui.evidence.before"))
        self.after_label.setText(t("gui.evidence.after_listing" if aligned else "gui.evidence.after"))
        self.overlay_slider.setToolTip(t("gui.evidence.slider_tip"))
        self.details_table.setHorizontalHeaderLabels([t("gui.details.field"), t("gui.details.value")])
        self._fill_details()
