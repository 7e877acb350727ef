"""User settings the engine needs (shop name, languages, GPS opt-in), stored as JSON in the home.

Window state (geometry, splitters) lives in QSettings in the GUI; everything here is plain data
passed as arguments, so the CLI and the GUI read the same values.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields

from shopguard.errors import HomeError
from shopguard.paths import Home

log = logging.getLogger(__name__)

UI_LANGUAGES = ("system", "zh_CN", "en")
REPORT_LANGUAGES = ("zh_CN", "en", "both")
PAGE_SIZES = ("A4", "Letter")


@dataclass(frozen=True)
class Settings:
    shop_name: str = ""
    shop_logo: str | None = None
    ui_language: str = "system"
    report_language: str = "both"
    page_size: str = "A4"
    include_gps_in_report: bool = False
    library_folders: tuple[str, ...] = field(default_factory=tuple)
    first_run_done: bool = False


def load_settings(home: Home) -> Settings:
    """Read settings; a missing or damaged file gives the defaults (damage is logged, file kept)."""
    try:
        raw = json.loads(home.settings_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError):
        log.warning("settings file %s unreadable; using defaults", home.settings_file, exc_info=True)
        return Settings()
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known} if isinstance(raw, dict) else {}
    if "library_folders" in values:
        values["library_folders"] = tuple(values["library_folders"])
    try:
        return Settings(**values)
    except TypeError:
        return Settings()


def save_settings(home: Home, settings: Settings) -> None:
    """Write settings atomically.

    Raises:
        HomeError: when the file cannot be written.
    """
    target = home.settings_file
    tmp = target.with_suffix(".json.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(asdict(settings), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise HomeError("error.home.unusable", path=str(target), reason=exc.strerror or str(exc)) from exc
