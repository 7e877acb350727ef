"""Run a complaint check end to end: copy the photos into a new case, run every check, store results.

This is the one entry point the CLI and the GUI share for "check these photos" (``check_photos``) and for
"check this case again" (``recheck_case``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shopguard.cases.model import Case, CasePhoto
from shopguard.cases.store import CaseStore, new_case_id
from shopguard.cases.video_item import check_video_item
from shopguard.checks.context import CaseFacts, CheckContext, EarlierCase
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import Check
from shopguard.checks.runner import run_checks
from shopguard.checks.verdict import photo_verdict
from shopguard.errors import HomeError, ImageReadError, UsageError
from shopguard.imaging import probe, read_source
from shopguard.imaging.video_sniff import is_video
from shopguard.library.fingerprint import fingerprint
from shopguard.library.store import CasePhotoRecord, LibraryStore
from shopguard.paths import Home
from shopguard.progress import CancelToken, Progress, ProgressFn, check_cancel, report
from shopguard.settings import load_settings

log = logging.getLogger(__name__)

VALIDATE_SIDE = 2048
"""Every photo is decoded once at this size before checks run (checks reuse the cached decode)."""


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class CheckRequest:
    """What the seller asked to check (immutable, safe to hand to a worker thread)."""

    photos: tuple[Path, ...]
    facts: CaseFacts = field(default_factory=CaseFacts)


def _unreadable(path: Path, exc: ImageReadError, received_at: str) -> CasePhoto:
    finding = Finding(
        "input",
        Category.INPUT,
        Strength.INFO,
        "finding.input.unreadable.title",
        "finding.input.unreadable.detail",
        fields={"reason_key": exc.message_key, "reason": exc.message("en")},
        evidence={"error": exc.message_key},
    )
    return CasePhoto(
        name=path.name,
        original_path=str(path),
        stored_path=None,
        sha256="",
        format="unknown",
        width=0,
        height=0,
        size_bytes=0,
        received_at=received_at,
        findings=(finding,),
        verdict=photo_verdict([finding]),
        is_readable=False,
    )


class NoPhotoReadError(ImageReadError):
    """None of the photos of a check could be read: no case is created (exit code 3).

    ``failures`` holds each photo's own error, in the order given.
    """

    default_key = "error.check.no_photo_read"
    failures: tuple[ImageReadError, ...] = ()


def _earlier_case_lookup(store: CaseStore) -> Callable[[str], EarlierCase | None]:
    def lookup(case_id: str) -> EarlierCase | None:
        try:
            case = store.load(case_id)
        except HomeError:  # deleted or damaged: the reuse check falls back on the time it was checked
            return None
        return EarlierCase(case.id, case.created_at, case.facts)

    return lookup


def _with_shop_name(home: Home, facts: CaseFacts) -> CaseFacts:
    """The facts with the shop name from Settings (kept when Settings has none)."""
    shop = load_settings(home).shop_name.strip()
    return replace(facts, shop_name=shop) if shop else facts


def _journal_head(library: LibraryStore) -> dict[str, Any] | None:
    entry = library.journal_head()
    return {"seq": entry.seq, "entry_hash": entry.entry_hash} if entry is not None else None


@dataclass(frozen=True)
class _Run:
    """One run of the checks over a case's photos."""

    store: CaseStore
    case_id: str
    created_at: str
    facts: CaseFacts
    library: LibraryStore
    progress: ProgressFn | None
    cancel: CancelToken | None
    checks: Sequence[Check] | None

    def check(
        self, index: int, n: int, path: Path, read_from: Path, received_at: str
    ) -> tuple[CasePhoto, CheckContext]:
        """Check one photo (read from ``read_from``; named after ``path``) and copy it into the case.

        Raises:
            ImageReadError: when the photo cannot be read.
        """
        source = read_source(read_from)
        if is_video(source.data):
            return check_video_item(
                self.store,
                self.case_id,
                index,
                path,
                source,
                self.facts,
                self.library,
                received_at,
                self.cancel,
                self.progress,
            )
        facts = probe(source)
        ctx = CheckContext(
            source=source,
            facts=facts,
            case=self.facts,
            library=self.library,
            artifact_dir=self.store.evidence_dir(self.case_id, index),
            case_id=self.case_id,
            case_created_at=self.created_at,
            earlier_case=_earlier_case_lookup(self.store),
            cancel=self.cancel,
            shop_name=self.facts.shop_name,  # screenshot-context looks for it on listing pages
        )
        ctx.pixels(VALIDATE_SIDE)  # decodes the whole stream: truncated data fails here, not mid-check
        stored = self.store.write_photo_copy(self.case_id, index, path.name, source.data)

        def sub_progress(p: Progress, index: int = index, name: str = path.name) -> None:
            report(self.progress, index * 100 + int(100 * (p.fraction or 0)), n * 100, "progress.photo", name=name)

        result = run_checks(ctx, self.checks, progress=sub_progress if self.progress else None)
        photo = CasePhoto(
            name=path.name,
            original_path=str(path),
            stored_path=str(stored),
            sha256=source.sha256,
            format=facts.format,
            width=facts.width,
            height=facts.height,
            size_bytes=source.size_bytes,
            received_at=received_at,
            file_mtime=datetime.fromtimestamp(source.mtime, UTC).replace(microsecond=0).isoformat(),
            findings=result.findings,
            verdict=result.verdict,
        )
        return photo, ctx


def check_photos(
    home: Home,
    request: CheckRequest,
    library: LibraryStore,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    checks: Sequence[Check] | None = None,
    photo_checked: Callable[[CasePhoto], None] | None = None,
) -> Case:
    """Create a case from ``request``, run every check on each photo and store the result.

    Unreadable photos are kept in the case with an ``input`` finding; the others are still checked. When no
    photo can be read, no case is created. The shop name from Settings goes into the case's facts.

    Args:
        photo_checked: called with each photo's result (in ``request.photos`` order, unreadable ones
            too) as soon as its checks finish, on the calling thread, so a caller can show results
            before the whole case is done. The photo is final: the stored case holds the same value.

    Raises:
        NoPhotoReadError: when no photo could be read (nothing is stored).
        Cancelled: when ``cancel`` is set (the partial case is not saved).
        HomeError: when the case cannot be stored.
    """
    store = CaseStore(home.cases_dir)
    store.clean_incomplete()  # folders of checks killed before their case.json (never listed)
    case_id, created_at = new_case_id(), _now()
    facts = _with_shop_name(home, request.facts)
    run = _Run(store, case_id, created_at, facts, library, progress, cancel, checks)
    store.begin(case_id)
    try:
        return _check_new_case(run, request, photo_checked)
    except BaseException:
        store.discard(case_id)  # cancelled, nothing readable, or failed: no half-built folder stays behind
        raise


def _check_new_case(run: _Run, request: CheckRequest, photo_checked: Callable[[CasePhoto], None] | None) -> Case:
    progress, cancel, library, store = run.progress, run.cancel, run.library, run.store
    photos: list[CasePhoto] = []
    checked: list[tuple[str, CheckContext]] = []
    failures: list[ImageReadError] = []
    n = len(request.photos)
    for index, path in enumerate(request.photos):
        check_cancel(cancel)
        report(progress, index, n, "progress.photo", name=path.name)
        received_at = _now()
        try:
            photo, ctx = run.check(index, n, path, path, received_at)
        except ImageReadError as exc:
            failures.append(exc)
            photos.append(_unreadable(path, exc, received_at))
            _announce(photo_checked, photos[-1])
            continue
        photos.append(photo)
        checked.append((path.name, ctx))
        _announce(photo_checked, photo)
    if not checked:
        reasons = " ".join(exc.message("en") for exc in failures)
        error = NoPhotoReadError(reasons=reasons, count=len(failures))
        error.failures = tuple(failures)
        raise error
    case = Case(
        id=run.case_id,
        created_at=run.created_at,
        facts=run.facts,
        photos=tuple(photos),
        checked_at=_now(),
        library_journal_head=_journal_head(library),
    )
    return _store(store, library, case, checked, progress, cancel)


def recheck_case(
    home: Home,
    case_id: str,
    library: LibraryStore,
    facts: CaseFacts | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    checks: Sequence[Check] | None = None,
    photo_checked: Callable[[CasePhoto], None] | None = None,
) -> Case:
    """Check an open case again (new order facts, a newer library) and update it in place.

    The photos are read from the case's own copies. The earlier run goes into ``history`` (when, with which
    facts, what it found); id, creation time, status, notes and reports are kept. The case never counts as an
    earlier use of its own photos. A photo that was unreadable, or whose copy is gone, keeps its earlier result.

    Args:
        facts: the order facts to use (default: the stored ones); the shop name comes from Settings.

    Raises:
        CaseNotFoundError: no such case.
        UsageError: the case is not open (appealed, won or lost: its evidence is already in use).
        Cancelled: when ``cancel`` is set (the stored case is unchanged).
    """
    store = CaseStore(home.cases_dir)
    old = store.load(case_id)
    if old.status != "open":
        raise UsageError("error.case.recheck_not_open", case_id=case_id, status=old.status)
    new_facts = _with_shop_name(home, facts if facts is not None else old.facts)
    run = _Run(store, case_id, old.created_at, new_facts, library, progress, cancel, checks)
    photos: list[CasePhoto] = []
    checked: list[tuple[str, CheckContext]] = []
    n = len(old.photos)
    for index, before in enumerate(old.photos):
        check_cancel(cancel)
        report(progress, index, n, "progress.photo", name=before.name)
        copy = Path(before.stored_path) if before.stored_path else None
        if not before.is_readable or copy is None or not copy.is_file():
            photos.append(before)
        else:
            photo, ctx = run.check(index, n, Path(before.original_path), copy, before.received_at)
            photo = replace(photo, file_mtime=before.file_mtime, size_bytes=before.size_bytes)
            photos.append(photo)
            checked.append((before.name, ctx))
        _announce(photo_checked, photos[-1])
    case = replace(
        old,
        facts=new_facts,
        photos=tuple(photos),
        checked_at=_now(),
        library_journal_head=_journal_head(library),
        history=(*old.history, old.history_entry()),
    )
    return _store(store, library, case, checked, progress, cancel)


def _store(
    store: CaseStore,
    library: LibraryStore,
    case: Case,
    checked: list[tuple[str, CheckContext]],
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> Case:
    """Save ``case`` (unless cancelled) and remember its checked photos' fingerprints for later reuse checks."""
    check_cancel(cancel)
    store.save(case)
    for name, ctx in checked:
        _remember(library, case.id, name, ctx)
    n = len(case.photos)
    report(progress, n, n, "progress.done")
    return case


def _announce(photo_checked: Callable[[CasePhoto], None] | None, photo: CasePhoto) -> None:
    if photo_checked is not None:
        photo_checked(photo)


def _remember(library: LibraryStore, case_id: str, name: str, ctx: CheckContext) -> None:
    """Record the photo's fingerprint so a later case can tell it was used before."""
    try:
        fp = fingerprint(ctx.source, {})
    except ImageReadError:
        return
    library.add_case_photo(CasePhotoRecord(case_id=case_id, name=name, sha256=ctx.source.sha256, hashes=fp.hashes))
