"""Run a complaint check end to end: copy the photos into a new case, run every check, store results.

This is the one entry point the CLI and the GUI share for "check these photos".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from shopguard.cases.model import Case, CasePhoto
from shopguard.cases.store import CaseStore, new_case_id
from shopguard.checks.context import CaseFacts, CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import Check
from shopguard.checks.runner import run_checks
from shopguard.checks.verdict import photo_verdict
from shopguard.errors import ImageReadError
from shopguard.imaging import probe, read_source
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

    Unreadable photos are kept in the case with an ``input`` finding; the others are still checked.

    Args:
        photo_checked: called with each photo's result (in ``request.photos`` order, unreadable ones
            too) as soon as its checks finish, on the calling thread, so a caller can show results
            before the whole case is done. The photo is final: the stored case holds the same value.

    Raises:
        Cancelled: when ``cancel`` is set (the partial case is not saved).
        HomeError: when the case cannot be stored.
    """
    store = CaseStore(home.cases_dir)
    case_id = new_case_id()
    shop_name = load_settings(home).shop_name or None  # screenshot-context looks for it on listing pages
    photos: list[CasePhoto] = []
    checked: list[tuple[str, CheckContext]] = []
    n = len(request.photos)
    for index, path in enumerate(request.photos):
        check_cancel(cancel)
        report(progress, index, n, "progress.photo", name=path.name)
        received_at = _now()
        try:
            source = read_source(path)
            facts = probe(source)
            ctx = CheckContext(
                source=source,
                facts=facts,
                case=request.facts,
                library=library,
                artifact_dir=store.evidence_dir(case_id, index),
                case_id=case_id,
                cancel=cancel,
                shop_name=shop_name,
            )
            ctx.pixels(VALIDATE_SIDE)  # decodes the whole stream: truncated data fails here, not mid-check
        except ImageReadError as exc:
            photos.append(_unreadable(path, exc, received_at))
            _announce(photo_checked, photos[-1])
            continue
        stored = store.write_photo_copy(case_id, index, path.name, source.data)

        def sub_progress(p: Progress, index: int = index, name: str = path.name) -> None:
            report(progress, index * 100 + int(100 * (p.fraction or 0)), n * 100, "progress.photo", name=name)

        result = run_checks(ctx, checks, progress=sub_progress if progress else None)
        photos.append(
            CasePhoto(
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
        )
        checked.append((path.name, ctx))
        _announce(photo_checked, photos[-1])
    case = Case(id=case_id, created_at=_now(), facts=request.facts, photos=tuple(photos))
    check_cancel(cancel)
    store.save(case)
    for name, ctx in checked:
        _remember(library, case_id, name, ctx)
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
