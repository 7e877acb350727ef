"""The app's look: one light stylesheet and the verdict colours (calm; red only for strong evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Tone:
    """Background, text and border colour of a verdict or strength badge."""

    background: str
    foreground: str
    border: str


# Strong is red-ish, moderate amber, weak and none neutral: "nothing found" must not look like an alarm.
TONES: dict[str, Tone] = {
    "strong": Tone("#fdecea", "#9b1c1c", "#e5a3a0"),
    "moderate": Tone("#fff6e0", "#8a5300", "#f0cf86"),
    "weak": Tone("#f1f3f5", "#3d4752", "#d5dae0"),
    "none": Tone("#eef6f0", "#2f5d3a", "#c9e0cf"),
    "info": Tone("#f1f3f5", "#3d4752", "#d5dae0"),
    # A photo still being checked: calm blue, neither an all-clear (green) nor an alarm.
    "pending": Tone("#eef3fb", "#1b3f8f", "#c5d5f0"),
}

ACCENT = "#2f6fdf"

STYLESHEET = f"""
QMainWindow, QWidget#page {{ background: #f7f8fa; }}
QWidget {{ font-size: 10pt; color: #1f2933; }}
QListWidget#nav {{
    background: #eef1f5; border: none; border-right: 1px solid #dde2e8; padding-top: 12px;
    outline: 0;
}}
QListWidget#nav::item {{ padding: 10px 16px; border-radius: 6px; margin: 2px 8px; color: #3d4752; }}
QListWidget#nav::item:selected {{ background: #dbe6fb; color: #1b3f8f; }}
QFrame#card {{ background: white; border: 1px solid #e1e5ea; border-radius: 10px; }}
QFrame#dropZone {{
    background: white; border: 2px dashed #b9c3cf; border-radius: 14px;
}}
QFrame#dropZone[hover="true"] {{ border-color: {ACCENT}; background: #f2f6fe; }}
QLabel#dropTitle {{ font-size: 17pt; font-weight: 600; color: #33404d; }}
QLabel#dropHint {{ color: #66727f; }}
QLabel#pageTitle {{ font-size: 15pt; font-weight: 600; }}
QLabel#muted {{ color: #66727f; }}
QLabel#groupHeader {{ font-weight: 600; color: #4a5561; padding-top: 6px; }}
QPushButton {{
    background: white; border: 1px solid #c9d1da; border-radius: 6px; padding: 6px 14px;
}}
QPushButton:hover {{ background: #f0f3f7; }}
QPushButton:disabled {{ color: #9aa5b1; background: #f3f4f6; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border-color: {ACCENT}; font-weight: 600; }}
QPushButton#primary:hover {{ background: #285fc0; }}
QPushButton#primary:disabled {{ background: #9db7e8; border-color: #9db7e8; }}
QLineEdit, QPlainTextEdit, QComboBox, QDateEdit {{
    background: white; border: 1px solid #c9d1da; border-radius: 5px; padding: 4px 6px;
}}
QLineEdit:disabled, QComboBox:disabled, QDateEdit:disabled {{ color: #9aa5b1; background: #f3f4f6; }}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QDateEdit:focus {{ border-color: {ACCENT}; }}
QGroupBox {{
    background: white; border: 1px solid #e1e5ea; border-radius: 10px; margin-top: 14px;
    padding: 12px 10px 8px;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: 12px; padding: 0 4px; font-weight: 600; }}
QTabWidget::pane {{ border: 1px solid #e1e5ea; border-radius: 8px; background: white; top: -1px; }}
QTabBar::tab {{ padding: 6px 14px; border: none; color: #4a5561; }}
QTabBar::tab:disabled {{ color: #b3bcc6; }}
QTabBar::tab:selected {{ color: #1b3f8f; border-bottom: 2px solid {ACCENT}; }}
QTreeWidget, QTableView, QListView, QTableWidget {{
    background: white; border: 1px solid #e1e5ea; border-radius: 8px; alternate-background-color: #fafbfc;
}}
QTreeWidget::item {{ padding: 5px 2px; }}
QHeaderView::section {{ background: #f3f5f8; border: none; border-bottom: 1px solid #e1e5ea; padding: 5px; }}
QProgressBar {{
    border: 1px solid #d5dae0; border-radius: 5px; background: white; height: 12px; text-align: center;
}}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 4px; }}
QStatusBar {{ background: #eef1f5; color: #4a5561; }}
"""


def control_arrows_css(icons: Path) -> str:
    """Flat drop-down arrows for combo and date boxes (Qt's default is a dark bevelled button once the box
    itself has a stylesheet): a thin chevron in the box, no separate button face."""
    arrow = (icons / "chevron-down.svg").as_posix()
    disabled = (icons / "chevron-down-disabled.svg").as_posix()
    return f"""
QComboBox, QDateEdit {{ padding-right: 24px; }}
QComboBox::drop-down, QDateEdit::drop-down {{
    subcontrol-origin: padding; subcontrol-position: top right; width: 22px; border: none; background: transparent;
}}
QComboBox::down-arrow, QDateEdit::down-arrow {{ image: url("{arrow}"); width: 12px; height: 12px; }}
QComboBox::down-arrow:disabled, QDateEdit::down-arrow:disabled {{ image: url("{disabled}"); }}
QComboBox QAbstractItemView {{
    background: white; border: 1px solid #c9d1da; selection-background-color: #dbe6fb; selection-color: #1b3f8f;
    outline: 0;
}}
QCalendarWidget QWidget#qt_calendar_navigationbar {{ background: #eef1f5; }}
QCalendarWidget QToolButton {{ color: #1f2933; background: transparent; border: none; padding: 4px 8px; }}
QCalendarWidget QToolButton:hover {{ background: #dbe6fb; border-radius: 4px; }}
"""


def stylesheet() -> str:
    """The whole application stylesheet (the arrows come from ``resources/icons``)."""
    from shopguard.paths import resource_path

    return STYLESHEET + control_arrows_css(resource_path("icons"))


def banner_css(level: str) -> str:
    """Stylesheet of the verdict banner for a verdict level."""
    tone = TONES.get(level, TONES["none"])
    return (
        f"QFrame#verdictBanner {{ background: {tone.background}; border: 1px solid {tone.border};"
        f" border-radius: 10px; }} QFrame#verdictBanner QLabel {{ color: {tone.foreground}; }}"
    )
