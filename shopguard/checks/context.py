"""What a check gets to look at: the photo, the case facts, the library, a place for evidence images."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from shopguard.imaging import DecodedImage, SourceFile, decode
from shopguard.imaging.decode import ImageFacts, decodes_in_full, reduce_decoded
from shopguard.progress import CancelToken

if TYPE_CHECKING:
    from shopguard.library.store import LibraryStore


@dataclass(frozen=True)
class CaseFacts:
    """What the seller told us about the complaint (all optional)."""

    order_date: date | None = None
    delivery_date: date | None = None
    complaint_date: date | None = None
    platform: str | None = None
    order_id: str | None = None
    buyer: str | None = None
    claim_text: str | None = None
    shop_name: str | None = None
    """The seller's shop (Settings), stored with every case so a case and its report say whose shop it is."""


@dataclass(frozen=True)
class EarlierCase:
    """What a reuse check needs to know about an earlier case: when it was checked and its order facts."""

    case_id: str
    checked_at: str
    facts: CaseFacts


@dataclass
class CheckContext:
    """Inputs for one photo's checks. Decoded pixels are cached per size, so checks share decodes.

    Attributes:
        source: the original file's bytes and SHA-256 (never modified).
        facts: header facts (format, oriented size).
        case: the seller's order facts.
        library: the shop library, or None when no library is set up.
        artifact_dir: folder where checks write evidence images for this photo (created on demand).
        case_id: the case this photo belongs to (so reuse checks can skip it).
        case_created_at: when that case was first checked (ISO-8601 UTC; a re-check keeps the first time).
        earlier_case: looks up an earlier case by id (None when it is gone), so a reuse check can tell a
            re-check of the same complaint from another claim.
        cancel: cancellation token, checked between slow steps.
        shop_name: the seller's shop name from Settings (screenshot-context looks for it), or None.
    """

    source: SourceFile
    facts: ImageFacts
    case: CaseFacts = field(default_factory=CaseFacts)
    library: LibraryStore | None = None
    artifact_dir: Path | None = None
    case_id: str | None = None
    case_created_at: str | None = None
    earlier_case: Callable[[str], EarlierCase | None] | None = None
    cancel: CancelToken | None = None
    library_only: tuple[int, ...] | None = None
    """When set, the library match verifies just these photo ids (a video frame tried against its clip's source)."""
    shop_name: str | None = None
    _decoded: dict[int, DecodedImage] = field(default_factory=dict, repr=False)
    _decoding: dict[int, threading.Lock] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def pixels(self, max_side: int | None = None) -> DecodedImage:
        """Oriented RGB pixels, reduced to about ``max_side`` on the long side (None = full size).

        Each size is decoded once, also when checks on several threads ask for it at once. A size no smaller
        than the photo is the full-size decode; a reduction that ``decode`` would make from a full decode anyway
        (``decodes_in_full``) is made from the cached full-size pixels: the same pixels, one decode fewer.
        """
        key = max_side or 0
        if key >= max(self.facts.width, self.facts.height):
            key = 0  # decode() neither drafts nor reduces: the full-size pixels
        with self._lock:
            slot = self._decoding.setdefault(key, threading.Lock())
        with slot:  # the full size (key 0) never waits for another size, so two sizes cannot deadlock
            if key not in self._decoded:
                if key and decodes_in_full(self.facts, key):
                    self._decoded[key] = reduce_decoded(self.pixels(None), key)
                else:
                    self._decoded[key] = decode(self.source, max_side=key or None)
            return self._decoded[key]

    def artifact_path(self, name: str) -> Path:
        """A path for an evidence image; raises ValueError when the context has no artifact folder."""
        if self.artifact_dir is None:
            raise ValueError("no artifact_dir for this check run")
        self.artifact_dir.mkdir(parents=True, exist_ok=True)
        return self.artifact_dir / name
