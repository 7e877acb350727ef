"""OrderForm: the optional order details of a complaint (platform, order id, buyer, dates, claim)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from shopguard.checks.context import CaseFacts
from shopguard.gui.state import AppState
from shopguard.gui.widgets.optional_date import OptionalDateEdit

# Stable ids stored in the case (CaseFacts.platform); labels come from the catalogue.
PLATFORMS = (
    "taobao",
    "tmall",
    "pinduoduo",
    "jd",
    "douyin",
    "kuaishou",
    "xianyu",
    "amazon",
    "ebay",
    "etsy",
    "shopify",
    "other",
)


class OrderForm(QGroupBox):
    """Facts the seller knows about the order; all optional. ``facts()`` returns them immutable."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        form = QFormLayout(self)
        self.platform_combo = QComboBox(self)
        self.platform_combo.addItem("", None)
        for platform in PLATFORMS:
            self.platform_combo.addItem(platform, platform)
        self.order_id_edit = QLineEdit(self)
        self.buyer_edit = QLineEdit(self)
        self.order_date_edit = OptionalDateEdit(self)
        self.delivery_date_edit = OptionalDateEdit(self)
        self.complaint_date_edit = OptionalDateEdit(self)
        self.claim_edit = QPlainTextEdit(self)
        self.claim_edit.setMaximumHeight(80)
        self._labels: dict[str, QLabel] = {}
        for key, widget in (
            ("platform", self.platform_combo),
            ("order_id", self.order_id_edit),
            ("buyer", self.buyer_edit),
            ("order_date", self.order_date_edit),
            ("delivery_date", self.delivery_date_edit),
            ("complaint_date", self.complaint_date_edit),
            ("claim", self.claim_edit),
        ):
            label = QLabel(self)
            label.setBuddy(widget)
            self._labels[key] = label
            form.addRow(label, widget)
        state.language_changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        t = self.state.t
        self.setTitle(t("gui.order.title"))
        for key, label in self._labels.items():
            label.setText(t(f"gui.order.{key}"))
        self.platform_combo.setItemText(0, t("gui.order.platform_unset"))
        for index, platform in enumerate(PLATFORMS, start=1):
            self.platform_combo.setItemText(index, t(f"gui.platform.{platform}"))
        self.order_id_edit.setPlaceholderText(t("gui.order.optional"))
        self.buyer_edit.setPlaceholderText(t("gui.order.optional"))
        self.claim_edit.setPlaceholderText(t("gui.order.claim_hint"))
        for edit in (self.order_date_edit, self.delivery_date_edit, self.complaint_date_edit):
            edit.date_edit.setLocale(QLocale(self.state.lang))  # month names in the calendar popup and the field
            edit.date_edit.setDisplayFormat(t("gui.order.date_format"))  # as dates read elsewhere in the app
            edit.set_empty_text(t("gui.order.date_not_given"))
        self.order_date_edit.setToolTip(t("gui.order.date_tip"))
        self.delivery_date_edit.setToolTip(t("gui.order.delivery_tip"))
        self.complaint_date_edit.setToolTip(t("gui.order.complaint_tip"))

    def set_platform(self, platform: str | None) -> None:
        index = self.platform_combo.findData(platform)
        self.platform_combo.setCurrentIndex(max(index, 0))

    def set_dates(self, order: date | None, delivery: date | None) -> None:
        self.order_date_edit.set_value(order)
        self.delivery_date_edit.set_value(delivery)

    def set_facts(self, facts: CaseFacts) -> None:
        """Fill the form from stored facts (checking a case again)."""
        self.set_platform(facts.platform)
        self.order_id_edit.setText(facts.order_id or "")
        self.buyer_edit.setText(facts.buyer or "")
        self.claim_edit.setPlainText(facts.claim_text or "")
        self.set_dates(facts.order_date, facts.delivery_date)
        self.complaint_date_edit.set_value(facts.complaint_date)

    def facts(self) -> CaseFacts:
        """The filled-in facts; empty fields are None (a date only when the seller entered it)."""
        return CaseFacts(
            order_date=self.order_date_edit.value(),
            delivery_date=self.delivery_date_edit.value(),
            complaint_date=self.complaint_date_edit.value(),
            platform=self.platform_combo.currentData(),
            order_id=self.order_id_edit.text().strip() or None,
            buyer=self.buyer_edit.text().strip() or None,
            claim_text=self.claim_edit.toPlainText().strip() or None,
        )

    def clear(self) -> None:
        self.platform_combo.setCurrentIndex(0)
        self.order_id_edit.clear()
        self.buyer_edit.clear()
        self.claim_edit.clear()
        self.set_dates(None, None)
        self.complaint_date_edit.set_value(None)
