"""Which files a ``library add`` of files and folders covers (one walk for photos and product videos)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path


def iter_named_files(paths: Iterable[str | Path], suffixes: Iterable[str]) -> Iterator[Path]:
    """Files named directly (whatever their suffix), plus the files with one of ``suffixes`` found recursively in
    named folders (sorted; hidden files and folders skipped; links to folders not followed, so no loops)."""
    wanted = frozenset(suffixes)
    for raw in paths:
        p = Path(raw).expanduser().absolute()
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if Path(name).suffix.lower() in wanted and not name.startswith("."):
                        yield Path(root) / name
        else:
            yield p
