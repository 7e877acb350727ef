"""The single source of ShopGuard's on-disk locations.

The data home holds the library database, stored cases, derived images, logs and reports.
``--home DIR`` or the ``SHOPGUARD_HOME`` environment variable replace the platform default.
Nothing here creates directories until ``Home.ensure()`` is called.
"""

from __future__ import annotations

import os
import sys
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


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The home to use: ``explicit`` if given, else ``$SHOPGUARD_HOME``, else the platform default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_home()


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
            probe = self.root / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
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
