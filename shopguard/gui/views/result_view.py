"""ResultView: the verdict banner, the findings grouped by strength, the evidence tabs and report actions.

While a check runs, the view shows the photos already checked (``show_checking``) with the others
marked as still being checked; the final case then replaces it (``show_case``) keeping the selection.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shopguard.cases.model import Case, CasePhoto
from shopguard.checks.context import CaseFacts
from shopguard.checks.findings import Category, Finding
from shopguard.checks.verdict import ranked
from shopguard.gui.state import AppState
from shopguard.gui.style import TONES
from shopguard.gui.views.evidence_view import EvidenceView
from shopguard.gui.widgets.findings_tree import FindingsTree
from shopguard.gui.widgets.live_check_bar import LiveCheckBar
from shopguard.gui.widgets.report_bar import ReportBar
from shopguard.gui.widgets.verdict_banner import VerdictBanner

STRENGTH_ORDER = ("strong", "moderate", "weak", "info")
STRENGTH_ICONS = {"strong": "●", "moderate": "●", "weak": "○", "info": "·"}
STRENGTH_STANDARD_ICONS = {
    "strong": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "moderate": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "weak": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "info": QStyle.StandardPixmap.SP_FileDialogInfoView,
}
OTHER_CASE_KEYS = ("other_case_id", "earlier_case_id", "case_id")
MIN_LIST_PX = 90
MIN_DETAIL_PX = 150
"""The selected finding's text keeps room for about six lines when the list is sized to its rows (the text
scrolls beyond them; the list's rows are never cut)."""
SETTINGS_SPLITTER = "result/splitter"
SETTINGS_LIST_SPLITTER = "result/findings_splitter"


def other_case_of(finding: Finding) -> str | None:
    """The earlier case a reused-photo finding points to, if the check recorded one."""
    if finding.category is not Category.REUSED_PHOTO:
        return None
    for key in OTHER_CASE_KEYS:
        value = finding.evidence.get(key) or finding.fields.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class ResultView(QWidget):
    """One checked case.

    Signals:
        new_check_requested(), report_requested(), print_requested(), open_report_requested(),
        show_report_folder_requested(), export_images_requested(), recheck_requested(): the buttons.
        case_link_activated(str): the user followed a link to another case.
    """

    new_check_requested = Signal()
    report_requested = Signal()
    print_requested = Signal()
    open_report_requested = Signal()
    show_report_folder_requested = Signal()
    export_images_requested = Signal()
    recheck_requested = Signal()
    case_link_activated = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("page")
        self.case: Case | None = None
        self._report_state = "existing"  # what the report bar says: existing, created, no_viewer, no_folder_viewer
        self.photo: CasePhoto | None = None
        self.live_names: tuple[str, ...] = ()  # every photo of a running check; () once the case is final
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 14, 20, 14)
        bar = QHBoxLayout()
        self.new_button = QPushButton(self)
        self.new_button.clicked.connect(self.new_check_requested)
        self.case_label = QLabel(self)
        self.case_label.setObjectName("muted")
        self.recheck_button = QPushButton(self)
        self.recheck_button.clicked.connect(self.recheck_requested)
        self.report_button = QPushButton(self)
        self.report_button.setObjectName("primary")
        self.report_button.clicked.connect(self.report_requested)
        # The report's own buttons sit in the bar that says where the report is (shown once there is one).
        self.report_bar = ReportBar(self)
        self.open_report_button = self.report_bar.open_button
        self.open_report_button.clicked.connect(self.open_report_requested)
        self.print_button = self.report_bar.print_button
        self.print_button.clicked.connect(self.print_requested)
        self.folder_button = self.report_bar.folder_button
        self.folder_button.clicked.connect(self.show_report_folder_requested)
        self.export_button = self.report_bar.export_button
        self.export_button.clicked.connect(self.export_images_requested)
        bar.addWidget(self.new_button)
        bar.addWidget(self.case_label, 1)
        bar.addWidget(self.recheck_button)
        bar.addWidget(self.report_button)
        outer.addLayout(bar)
        outer.addWidget(self.report_bar)
        self.live_bar = LiveCheckBar(self)
        self.live_bar.setVisible(False)
        outer.addWidget(self.live_bar)
        self.banner = VerdictBanner(self)
        outer.addWidget(self.banner)
        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("resultSplitter")
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.photo_combo = QComboBox(left)
        self.photo_combo.currentIndexChanged.connect(self._on_photo_combo_changed)
        left_layout.addWidget(self.photo_combo)
        # The findings list and the selected finding's text share the column through a splitter: the list
        # is sized to show every finding whole (until the seller moves the handle, which is remembered), and
        # the text scrolls inside its own box, so picking another finding never changes the list's height.
        self.list_splitter = QSplitter(Qt.Orientation.Vertical, left)
        self.list_splitter.setObjectName("findingsSplitter")
        self.list_splitter.setChildrenCollapsible(False)
        self.findings_tree = FindingsTree(self.list_splitter)
        self.findings_tree.setMinimumHeight(MIN_LIST_PX)
        self.findings_tree.currentItemChanged.connect(self._on_findings_tree_current_changed)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail_label.setObjectName("detailText")
        self.detail_label.setStyleSheet("QLabel#detailText { padding: 10px; background: white; }")
        self.detail_label.linkActivated.connect(self._on_detail_label_link)
        self.detail_scroll = QScrollArea(self.list_splitter)
        self.detail_scroll.setObjectName("detailScroll")
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_scroll.setStyleSheet(
            "QScrollArea#detailScroll { background: white; border: 1px solid #e1e5ea; border-radius: 8px; }"
        )
        self.detail_scroll.setWidget(self.detail_label)
        self.detail_scroll.setMinimumHeight(MIN_DETAIL_PX)
        self.list_splitter.addWidget(self.findings_tree)
        self.list_splitter.addWidget(self.detail_scroll)
        self.list_splitter.setStretchFactor(0, 0)
        self.list_splitter.setStretchFactor(1, 1)
        left_layout.addWidget(self.list_splitter, 1)
        self.facts_label = QLabel(left)
        self.facts_label.setObjectName("muted")
        self.facts_label.setWordWrap(True)
        left_layout.addWidget(self.facts_label)
        self.evidence = EvidenceView(state, splitter)
        splitter.addWidget(left)
        splitter.addWidget(self.evidence)
        splitter.setSizes([420, 680])
        outer.addWidget(splitter, 1)
        self._is_list_height_chosen = self._restore_splitters()
        self.list_splitter.splitterMoved.connect(self._on_list_splitter_moved)
        self.list_splitter.installEventFilter(self)
        splitter.splitterMoved.connect(lambda _pos, _index: self._save_splitters())
        self.set_report_path(None)
        state.language_changed.connect(self.retranslate)
        self.retranslate()

    # --- filling --------------------------------------------------------------------------------
    @property
    def is_live(self) -> bool:
        """True while the photos shown are those of a check still running."""
        return bool(self.live_names)

    def show_checking(self, names: tuple[str, ...], facts: CaseFacts, done: tuple[CasePhoto, ...]) -> None:
        """Show the photos of a running check finished so far (``done``, in order) among all ``names``."""
        starting = self.live_names != names or not self.is_live
        if starting:
            self.photo = None  # nothing of the previous case may pass for a result of this one
        self.live_names = names
        self.case = Case(id="", created_at="", facts=facts, photos=done)
        self._set_live_mode(True)
        index = 0 if starting else self.photo_combo.currentIndex()
        self._fill_photo_combo(names, index)
        photo = done[index] if index < len(done) else None
        if starting or (photo is not None and photo is not self.photo):
            self._on_photo_combo_changed(index)  # the photo on screen has just been checked
        # Only the labels change for the photo on screen: its findings, selection and tab stay as they are.
        self._label_case()

    def show_case(self, case: Case) -> None:
        """Show a checked case; after ``show_checking`` of the same photos, the selection stays."""
        continues_live = self.is_live and tuple(p.name for p in case.photos) == self.live_names
        index = self.photo_combo.currentIndex() if continues_live else 0
        previous = self.photo
        self.live_names = ()
        self.case = case
        self._set_live_mode(False)
        self._fill_photo_combo(tuple(p.name for p in case.photos), max(index, 0))
        self.set_report_path(case.reports[-1] if case.reports else None)
        if continues_live and 0 <= index < len(case.photos) and case.photos[index] == previous:
            self.photo = case.photos[index]  # same results: keep the finding, tab and evidence on screen
            self._label_case()
            return
        self._on_photo_combo_changed(max(index, 0))
        self.retranslate()

    def abandon_checking(self) -> None:
        """The running check was cancelled or failed: its partial results are not a case."""
        if self.is_live:
            self.live_names, self.case, self.photo = (), None, None
            self._set_live_mode(False)

    def _fill_photo_combo(self, names: tuple[str, ...], index: int) -> None:
        self.photo_combo.blockSignals(True)
        if self.photo_combo.count() != len(names):
            self.photo_combo.clear()
            self.photo_combo.addItems(list(names))
        self.photo_combo.setCurrentIndex(index)
        self.photo_combo.blockSignals(False)
        self.photo_combo.setVisible(len(names) > 1)
        self._label_photo_combo()

    def _label_photo_combo(self) -> None:
        if self.case is None:
            return
        done = len(self.case.photos)
        names = self.live_names or tuple(p.name for p in self.case.photos)
        for i, name in enumerate(names):
            if i < self.photo_combo.count():
                pending = self.is_live and i >= done
                self.photo_combo.setItemText(i, self.state.t("gui.live.photo_pending", name=name) if pending else name)

    def _set_live_mode(self, live: bool) -> None:
        self.live_bar.setVisible(live)
        self.new_button.setEnabled(not live)
        self.report_button.setEnabled(not live)
        self._update_recheck_button()
        if live:
            self.set_report_path(None)

    def _on_photo_combo_changed(self, index: int) -> None:
        if self.case is None:
            return
        if self.is_live and len(self.case.photos) <= index < len(self.live_names):
            self._show_pending()
            return
        if not 0 <= index < len(self.case.photos):
            return
        photo = self.case.photos[index]
        is_same = photo == self.photo
        self.photo = photo
        self._show_verdict()
        self._fill_findings()
        if not is_same:  # the final case repeats the live results: their pictures are already shown
            self.evidence.show_photo(photo)
        items = self.finding_items()
        strongest = ranked(self.photo.findings)[0] if self.photo.findings else None
        if items and strongest is not None and strongest.strength.value != "info":
            self.findings_tree.setCurrentItem(items[0])  # open the evidence of the strongest finding

    def _show_pending(self) -> None:
        """A photo of the running check whose results are not in yet: say so, claim nothing."""
        self.photo = None
        self.findings_tree.clear()
        self.evidence.clear_photo()
        self._show_verdict()
        self.detail_label.setText(self.state.t("gui.live.pending_detail"))

    def _show_verdict(self) -> None:
        """The banner speaks for the photo on screen (the case verdict is its strongest photo)."""
        if self.case is None:
            return
        t, lang = self.state.t, self.state.lang
        if self.is_live and self.photo is None:
            name = self.live_names[max(self.photo_combo.currentIndex(), 0)]
            self.banner.show_verdict("pending", t("gui.live.pending_title"), t("gui.live.pending_summary", name=name))
            self.banner.setToolTip("")
            return
        verdict = self.photo.verdict if self.photo else self.case.verdict
        self.banner.show_verdict(verdict.level.value, t(f"verdict.level.{verdict.level.value}"), verdict.headline(lang))
        self.banner.setToolTip(t(f"gui.verdict_tip.{verdict.level.value}"))

    def _fill_findings(self) -> None:
        t = self.state.t
        self.findings_tree.clear()
        if self.photo is None:
            return
        for strength in STRENGTH_ORDER:
            group = [f for f in ranked(self.photo.findings) if f.strength.value == strength]
            if not group:
                continue
            header = QTreeWidgetItem([t(f"gui.result.group.{strength}", count=len(group))])
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setForeground(0, QBrush(QColor(TONES[strength].foreground)))
            font = header.font(0)
            font.setBold(True)
            header.setFont(0, font)
            header.setToolTip(0, t(f"gui.strength_tip.{strength}"))
            header.setIcon(0, self.style().standardIcon(STRENGTH_STANDARD_ICONS[strength]))
            self.findings_tree.addTopLevelItem(header)
            for finding in group:
                item = QTreeWidgetItem([f"{STRENGTH_ICONS[strength]}  {finding.title(self.state.lang)}"])
                item.setData(0, Qt.ItemDataRole.UserRole, list(self.photo.findings).index(finding))
                item.setForeground(0, QBrush(QColor(TONES[strength].foreground)))
                item.setToolTip(0, finding.detail(self.state.lang))
                header.addChild(item)
            header.setExpanded(True)
        self.detail_label.setText(t("gui.result.pick_finding"))
        self.fit_findings_list()
        QTimer.singleShot(0, self, self.fit_findings_list)  # again once the view is laid out (it may just be shown)

    # --- the findings list's share of the column ------------------------------------------------
    def _restore_splitters(self) -> bool:
        """The splitter positions the seller chose last time; True when the list's height was chosen."""
        settings = QSettings()
        state = settings.value(SETTINGS_SPLITTER)
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        list_state = settings.value(SETTINGS_LIST_SPLITTER)
        return isinstance(list_state, QByteArray) and self.list_splitter.restoreState(list_state)

    def _save_splitters(self) -> None:
        settings = QSettings()
        settings.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        if self._is_list_height_chosen:
            settings.setValue(SETTINGS_LIST_SPLITTER, self.list_splitter.saveState())

    def _on_list_splitter_moved(self, _pos: int, _index: int) -> None:
        self._is_list_height_chosen = True  # the seller's choice now holds, for every case and next time
        self._save_splitters()

    def fit_findings_list(self) -> None:
        """Give the findings list the height of its rows (leaving ``MIN_DETAIL_PX`` to the text), unless the seller
        has set the height by moving the handle."""
        if self._is_list_height_chosen:
            return
        total = sum(self.list_splitter.sizes())
        if total <= 0:
            return
        wanted = self.findings_tree.content_height() + 2 * self.findings_tree.frameWidth() + 2
        height = max(MIN_LIST_PX, min(wanted, total - MIN_DETAIL_PX))
        self.list_splitter.setSizes([height, total - height])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list_splitter and event.type() == QEvent.Type.Resize:
            # After the splitter has its new size (rows wrap differently at another width): a queued call,
            # so the list's own width is final too.
            QTimer.singleShot(0, self, self.fit_findings_list)
        return super().eventFilter(watched, event)

    def finding_items(self) -> list[QTreeWidgetItem]:
        """The finding rows (not the group headers), top to bottom."""
        items: list[QTreeWidgetItem] = []
        for i in range(self.findings_tree.topLevelItemCount()):
            header = self.findings_tree.topLevelItem(i)
            if header is not None:
                items += [c for j in range(header.childCount()) if (c := header.child(j)) is not None]
        return items

    def _on_findings_tree_current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is None or self.photo is None:
            return
        index = current.data(0, Qt.ItemDataRole.UserRole)
        if index is None:
            return
        finding = self.photo.findings[int(index)]
        lang, t = self.state.lang, self.state.t
        parts = [f"<b>{finding.title(lang)}</b>", finding.detail(lang)]
        limits = finding.limits(lang)
        if limits:
            parts.append(f"<i>{t('gui.result.limits')}</i> {limits}")
        other = other_case_of(finding)
        if other:
            parts.append(f'<a href="case:{other}">{t("gui.result.open_other_case", case_id=other)}</a>')
        self.detail_label.setText("<br><br>".join(parts))
        self.evidence.show_finding(finding)

    def _on_detail_label_link(self, link: str) -> None:
        if link.startswith("case:"):
            self.case_link_activated.emit(link.removeprefix("case:"))

    def _update_recheck_button(self) -> None:
        """*Check again* is for a stored, open case (an appealed or closed one keeps the evidence it was sent)."""
        is_open = not self.is_live and self.case is not None and bool(self.case.id) and self.case.status == "open"
        self.recheck_button.setEnabled(is_open)
        tip = "gui.result.check_again_tip" if is_open or self.case is None else "gui.result.check_again_closed_tip"
        self.recheck_button.setToolTip(self.state.t(tip))

    def set_report_path(self, path: str | None) -> None:
        """Show the bar of the case's latest report (hidden when it has none)."""
        self.report_bar.setVisible(path is not None)
        if path is not None:
            self._report_state = "existing"
            self._label_report_bar()

    def show_report_created(self, path: str, *, is_opened: bool) -> None:
        """A report was just written; ``is_opened`` is False when no program could open it."""
        self.report_bar.setVisible(True)
        self._report_state = "created" if is_opened else "no_viewer"
        self.report_bar.path = Path(path)
        self._label_report_bar()

    def show_report_not_opened(self, *, folder: bool = False) -> None:
        """Opening the report (or its folder) failed: the desktop has no program for it."""
        if self.report_bar.isVisible():
            self._report_state = "no_folder_viewer" if folder else "no_viewer"
            self._label_report_bar()

    def _label_report_bar(self) -> None:
        path = self.report_bar.path
        if self.case is not None and self.case.reports and self._report_state == "existing":
            path = Path(self.case.reports[-1])
        if path is None:
            return
        state = self._report_state
        message = self.state.t(f"gui.report_bar.{state}", name=path.name, folder="{folder}")
        self.report_bar.show_message(message, path, warning=state.startswith("no_"))

    def set_export_available(self, available: bool) -> None:
        self.export_button.setEnabled(available)
        self.export_button.setProperty("available", available)

    def _label_case(self) -> None:
        """The texts that follow the case: verdict, photo list, case line, order facts."""
        if self.case is None:
            return
        t = self.state.t
        self._show_verdict()
        self._label_photo_combo()
        if self.is_live:
            done, total = len(self.case.photos), len(self.live_names)
            self.case_label.setText(t("gui.live.case_progress", done=done, total=total))
            self.report_button.setToolTip(t("gui.live.report_wait"))
        else:
            self.case_label.setText(t("gui.result.case", case_id=self.case.id, count=len(self.case.photos)))
            self.report_button.setToolTip(t("gui.result.create_report_tip"))
        facts = self.case.facts
        platform = t(f"gui.platform.{facts.platform}") if facts.platform else None
        bits = [b for b in (platform, facts.order_id, facts.buyer) if b]
        self.facts_label.setText(t("gui.result.facts", facts=" · ".join(bits)) if bits else "")

    def retranslate(self) -> None:
        t = self.state.t
        self.new_button.setText(t("gui.result.new_check"))
        self.recheck_button.setText(t("gui.result.check_again"))
        self._update_recheck_button()
        self.report_button.setText(t("gui.result.create_report"))
        self.report_button.setToolTip(t("gui.result.create_report_tip"))
        self.open_report_button.setText(t("gui.result.open_report"))
        self.print_button.setText(t("gui.result.print"))
        self.folder_button.setText(t("gui.result.show_folder"))
        self.export_button.setText(t("gui.result.export_images"))
        available = bool(self.export_button.property("available"))
        tip = "gui.result.export_tip" if available else "gui.result.export_missing"
        self.export_button.setToolTip(t(tip))
        self.live_bar.cancel_button.setText(t("gui.busy.cancel"))
        self.open_report_button.setToolTip(t("gui.report_bar.open_tip"))
        self.folder_button.setToolTip(t("gui.report_bar.folder_tip"))
        self.print_button.setToolTip(t("gui.report_bar.print_tip"))
        if self.report_bar.isVisibleTo(self):
            self._label_report_bar()
        if self.case is None:
            return
        self._label_case()
        if self.photo is None:
            return  # a photo still being checked: no findings to list yet
        current = self.findings_tree.currentItem()
        selected = current.data(0, Qt.ItemDataRole.UserRole) if current else None
        self._fill_findings()
        if selected is not None:
            for item in self.finding_items():
                if item.data(0, Qt.ItemDataRole.UserRole) == selected:
                    self.findings_tree.setCurrentItem(item)
