"""Which language the window speaks, Qt's own translations (qtbase) and the bundled CJK font."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from shopguard.errors import HomeError
from shopguard.i18n import normalize_language
from shopguard.paths import resource_path

log = logging.getLogger(__name__)


def resolve_ui_language(setting: str) -> str:
    """``"system"`` follows the OS locale; otherwise the setting itself ("zh_CN" or "en")."""
    if setting == "system":
        return normalize_language(QLocale.system().name())
    return normalize_language(setting)


class QtTranslations:
    """Installs Qt's own translations (buttons of standard dialogs) for the current language."""

    def __init__(self) -> None:
        self._translator: QTranslator | None = None

    def apply(self, lang: str) -> bool:
        """Switch Qt's built-in texts to ``lang``; True when a translation was loaded (English needs none)."""
        app = QCoreApplication.instance()
        if app is None:
            return False
        if self._translator is not None:
            QCoreApplication.removeTranslator(self._translator)
            self._translator = None
        QLocale.setDefault(QLocale(lang))
        if lang == "en":
            return True
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        translator = QTranslator(app)
        # Qt 6 wheels ship the meta catalogue qt_<lang>.qm; qtbase_<lang>.qm where it exists is preferred.
        for name in (f"qtbase_{lang}", f"qt_{lang}"):
            if translator.load(name, folder):
                QCoreApplication.installTranslator(translator)
                self._translator = translator
                return True
        log.info("no Qt translation for %s in %s", lang, folder)
        return False


def load_bundled_font(app: QApplication) -> list[str]:
    """Register resources/fonts/wqy-microhei.ttc and use it as the CJK fallback of the app font.

    Returns the font families added (empty if the font could not be loaded: Chinese then relies on
    system fonts). Latin text keeps the platform font; only missing glyphs fall back (SETUP.md §4).
    """
    try:
        font_file = resource_path("fonts", "wqy-microhei.ttc")
    except HomeError:
        log.warning("bundled font missing; Chinese text relies on system fonts")
        return []
    font_id = QFontDatabase.addApplicationFont(str(font_file))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("could not load %s", font_file)
        return []
    base = app.font()
    font = QFont(base)
    font.setFamilies([base.family(), families[0]])
    app.setFont(font)
    return list(families)
