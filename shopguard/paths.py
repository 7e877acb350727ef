"""The single source of ShopGuard's on-disk locations.

The data home holds the library database, stored cases, derived images, logs and reports.
``--home DIR`` or the ``SHOPGUARD_HOME`` environment variable replace the platform default.
Nothing here creates directories until ``Home.ensure()`` is called.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from shopguard.errors import HomeError

APP_DIR_NAME = "ShopGuard"
HOME_ENV = "SHOPGUARD_HOME"


def default_home() -> Path:
    """The platform's per-user application-data folder for ShopGuard."""
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "shopguard"


def config_dir() -> Path:
    """The per-user configuration folder (holds only the chosen data-folder location)."""
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP_DIR_NAME / "config"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Preferences" / APP_DIR_NAME
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "shopguard"


def location_file() -> Path:
    """Where the data folder chosen in the app's settings is remembered."""
    return config_dir() / "location.json"


def chosen_home() -> Path | None:
    """The data folder chosen in the app's settings, or None (unset or unreadable: the default applies)."""
    try:
        data = json.loads(location_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("home") if isinstance(data, dict) else None
    return Path(value).expanduser() if isinstance(value, str) and value else None


def choose_home(folder: Path | None) -> None:
    """Remember ``folder`` as the data folder for later starts (None forgets the choice).

    The folder is checked to be usable first; existing data is not moved.

    Raises:
        HomeError: when the folder cannot be used or the choice cannot be saved.
    """
    target = location_file()
    try:
        if folder is None:
            target.unlink(missing_ok=True)
            return
        Home(folder.expanduser().resolve()).ensure()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({"home": str(folder.expanduser().resolve())}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise HomeError("error.home.unusable", path=str(target), reason=exc.strerror or str(exc)) from exc


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The home to use, first found of: ``explicit`` (``--home``), ``$SHOPGUARD_HOME``, the folder chosen
    in the app's settings (``location_file()``), the platform default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return chosen_home() or default_home()


@dataclass(frozen=True)
class Home:
    """Locations inside one data home."""

    root: Path

    @property
    def library_db(self) -> Path:
        return self.root / "library.sqlite3"

    @property
    def cases_dir(self) -> Path:
        return self.root / "cases"

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "shopguard.log"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    def ensure(self) -> Home:
        """Create the home's folders.

        Raises:
            HomeError: when the folders cannot be created or written.
        """
        try:
            for folder in (self.root, self.cases_dir, self.cache_dir, self.log_dir):
                folder.mkdir(parents=True, exist_ok=True)
            # one probe file per process: several launches at once ("Open with" on three photos) share the home
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".write-test-"):
                pass
        except OSError as exc:
            raise HomeError("error.home.unusable", path=str(self.root), reason=exc.strerror or str(exc)) from exc
        return self


def resource_path(*parts: str) -> Path:
    """A file or folder shipped in ``resources/`` (the ``shopguard.resources`` package).

    Raises:
        HomeError: when the resources are not installed (a broken installation).
    """
    try:
        base = resources.files("shopguard.resources")
    except ModuleNotFoundError as exc:
        raise HomeError("error.resources.missing", path="resources") from exc
    return Path(str(base.joinpath(*parts)))
