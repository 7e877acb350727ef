"""The bundled demo shop: its product photos, its sample complaints, and whether it is in the library.

Whether the demo is installed goes by content (SHA-256), not by path: a library that got the demo from another
copy of the folder (the CLI, an older install) still offers the sample complaints after a restart.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from shopguard.library.store import LibraryStore
from shopguard.paths import resource_path


def demo_library_files() -> list[Path]:
    return sorted(resource_path("demo", "library").glob("*.jpg"))


def demo_complaint_files() -> list[Path]:
    return sorted(resource_path("demo", "complaints").glob("*.jpg"))


def demo_photos_in_library(store: LibraryStore) -> int:
    """How many demo product photos the library holds (present), matched by content. Reads the 12 demo files
    (1.8 MB: a few milliseconds)."""
    found = 0
    for path in demo_library_files():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if any(r.status == "present" for r in store.photos_by_sha256(digest)):
            found += 1
    return found
