"""Run every registered check on one photo and collect findings and a verdict.

The checks are independent of each other (each reads the photo through the shared ``CheckContext`` and writes
only its own evidence images), so they run on up to two threads: the pixel work is in numpy, OpenCV (the OCR
too, on cv2.dnn), Pillow and SQLite, which release the GIL while they work. The findings are collected per check
and joined in the registry's order, so the result is the same as running them one after another (tests/checks/
test_runner_parallel.py compares the two on real photos).
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.listing_explains import explained_by_listing
from shopguard.checks.registry import Check, builtin_checks
from shopguard.checks.verdict import Verdict, photo_verdict
from shopguard.errors import Cancelled, HomeError, ImageReadError
from shopguard.progress import ProgressFn, check_cancel, report

log = logging.getLogger(__name__)

_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})
STRICT_ENV = "SHOPGUARD_STRICT"
"""When set (the test suite sets it), a crashing check re-raises instead of becoming a finding."""
THREADS_ENV = "SHOPGUARD_CHECK_THREADS"
"""Threads the checks of one photo run on (default: the cores this process may use, at most ``MAX_THREADS``)."""
MAX_THREADS = 2
"""The app runs at most two jobs (gui/jobs.py) and the machines it targets have 2-4 cores: a third thread would
only queue behind the first two, as the long checks below keep both busy."""
SERIAL_ABOVE_PIXELS = 40_000_000
"""Photos larger than this (a 50 MP camera, a 200 MP file) run their checks one after another: several checks
hold full-resolution copies (the visible-mark OCR tiles, error level at up to 4096 px, float maps), so two at
once would about double the memory peak (1.76 GB for a 200 MP JPEG run one after another, issue 17), while a
12 MP phone photo peaks far below it either way."""
LONG_FIRST = ("library-match", "copy-move", "ai-visible-mark")
"""Checks started first, longest first (a cold check of a 2 MP photo against 100k photos, benchmarks/README.md
"Cold check", session 9): the library match 1.1-1.4 s of CPU, copy-move 0.2-0.7 s, the visible-mark OCR
0.3-0.5 s (its models load on first use); every other check is under 0.1 s. Starting the long ones first keeps
the short ones for the end, where they fill the thread that would otherwise wait for the last long one."""


@dataclass(frozen=True)
class PhotoChecks:
    findings: tuple[Finding, ...]
    verdict: Verdict


def default_threads() -> int:
    """``SHOPGUARD_CHECK_THREADS`` when set (1 runs the checks one after another), else the usable cores, at
    most ``MAX_THREADS``."""
    configured = os.environ.get(THREADS_ENV, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


def run_checks(
    ctx: CheckContext,
    checks: Sequence[Check] | None = None,
    progress: ProgressFn | None = None,
    threads: int | None = None,
) -> PhotoChecks:
    """Run ``checks`` (default: all registered) on the photo in ``ctx``, on ``threads`` threads (default:
    ``default_threads()``, one for a photo over ``SERIAL_ABOVE_PIXELS``); the findings come in the checks' order
    whatever order they finish in.

    A check that fails on this photo's pixels (``ImageReadError``) adds an ``input`` finding; a check
    that crashes is logged with its traceback and reported as not finished, so one faulty check never
    costs the seller the other results. Progress is reported on the caller's thread.

    Raises:
        Cancelled: when ``ctx.cancel`` is set (a check not started yet does not start; a running one stops at
            its next cancellation point); the run returns only once no check of it is running.
        HomeError: the case folder cannot take the evidence images (disk full, read-only).
    """
    checks = list(checks) if checks is not None else builtin_checks()
    n = len(checks)
    if threads is None:
        threads = 1 if ctx.facts.width * ctx.facts.height > SERIAL_ABOVE_PIXELS else default_threads()
    threads = max(1, min(threads, n))
    outcomes: list[list[Finding] | BaseException | None] = [None] * n
    if threads == 1:
        for i, check in enumerate(checks):
            report(progress, i, n, "progress.check", check=check.id)
            outcomes[i] = _attempt(check, ctx, None)
            if _stops_the_run(outcomes[i]):
                break
    else:
        _run_parallel(ctx, checks, outcomes, threads, progress)
    findings: list[Finding] = []
    for check, outcome in zip(checks, outcomes, strict=True):
        if outcome is None:  # not started: an earlier check stopped the run, and its error is raised below
            continue
        findings.extend(_findings_of(check, ctx, outcome))
    findings = explained_by_listing(findings)
    report(progress, n, n, "progress.check_done")
    return PhotoChecks(tuple(findings), photo_verdict(findings))


def _run_parallel(
    ctx: CheckContext,
    checks: list[Check],
    outcomes: list[list[Finding] | BaseException | None],
    threads: int,
    progress: ProgressFn | None,
) -> None:
    """Run the checks on ``threads`` worker threads, long ones first; fills ``outcomes`` by position."""
    n = len(checks)
    todo = deque(sorted(range(n), key=lambda i: _start_rank(checks[i].id)))
    todo_lock = threading.Lock()
    stop = threading.Event()  # set when a check stopped the run: checks not started yet are skipped
    finished: queue.SimpleQueue[tuple[int, list[Finding] | BaseException | None]] = queue.SimpleQueue()

    def work() -> None:
        try:
            while True:
                with todo_lock:
                    if not todo:
                        return
                    i = todo.popleft()
                finished.put((i, _attempt(checks[i], ctx, stop)))
        finally:
            # this thread's library connection: closed now, not whenever the garbage collector gets to it (an
            # open connection keeps the library's write-ahead log out of the file, see LibraryStore.record_verified)
            if ctx.library is not None:
                ctx.library.close()

    report(progress, 0, n, "progress.check", check=checks[todo[0]].id)
    workers = [threading.Thread(target=work, name=f"shopguard-check-{k}") for k in range(threads)]
    for worker in workers:
        worker.start()
    try:
        for done in range(1, n + 1):
            i, outcome = finished.get()
            outcomes[i] = outcome
            if _stops_the_run(outcome):
                stop.set()
            with todo_lock:
                running = [j for j in range(n) if outcomes[j] is None and j not in todo]
            if done < n and running:  # name a check still running, the first in the checks' order
                report(progress, done, n, "progress.check", check=checks[running[0]].id)
    except BaseException:  # Ctrl+C while waiting: start nothing more, wait below for the checks running
        stop.set()
        raise
    finally:
        for worker in workers:
            worker.join()


def _start_rank(check_id: str) -> int:
    return LONG_FIRST.index(check_id) if check_id in LONG_FIRST else len(LONG_FIRST)


def _attempt(check: Check, ctx: CheckContext, stop: threading.Event | None) -> list[Finding] | BaseException | None:
    """Run one check; its error is returned, not raised, so the caller handles errors in the checks' order.
    None when the run was stopped before this check started."""
    if stop is not None and stop.is_set():
        return None
    try:
        check_cancel(ctx.cancel)
        return check.run(ctx)
    except Exception as exc:  # noqa: BLE001  # handed to the caller, which raises, logs or reports it in order
        return exc


def _stops_the_run(outcome: list[Finding] | BaseException | None) -> bool:
    """Whether ``outcome`` ends the whole run (cancel, a full or read-only case folder, a crash in strict mode)."""
    if outcome is None or isinstance(outcome, list):
        return False
    if isinstance(outcome, Cancelled):
        return True
    if isinstance(outcome, OSError) and outcome.errno in _STORAGE_ERRNOS:
        return True
    return not isinstance(outcome, ImageReadError) and bool(os.environ.get(STRICT_ENV))


def _findings_of(check: Check, ctx: CheckContext, outcome: list[Finding] | BaseException) -> list[Finding]:
    """The findings a check's outcome adds; raises the errors that stop the run (see ``run_checks``)."""
    if isinstance(outcome, list):
        return outcome
    exc = outcome
    if isinstance(exc, Cancelled):
        raise exc
    if isinstance(exc, OSError):
        if exc.errno not in _STORAGE_ERRNOS:
            if os.environ.get(STRICT_ENV):
                raise exc
            log.error("check %s crashed on %s", check.id, ctx.source.path, exc_info=exc)
            return [_not_finished(check.id, exc)]
        # The case folder cannot take the evidence images (disk full, read-only): no check can finish and
        # the case could not be stored either, so the whole check stops with the storage error.
        raise HomeError("error.case.write", path=str(ctx.artifact_dir or ""), reason=exc.strerror or str(exc)) from exc
    if isinstance(exc, ImageReadError):
        return [
            Finding(
                check=check.id,
                category=Category.INPUT,
                strength=Strength.INFO,
                title_key="finding.input.pixels_unreadable.title",
                detail_key="finding.input.pixels_unreadable.detail",
                fields={"check": check.id, "reason": exc.message("en")},
            )
        ]
    if os.environ.get(STRICT_ENV):
        raise exc
    log.error("check %s crashed on %s", check.id, ctx.source.path, exc_info=exc)
    return [_not_finished(check.id, exc)]


def _not_finished(check_id: str, exc: BaseException) -> Finding:
    """The ``input`` finding for a check that crashed: the others' results still count."""
    return Finding(
        check=check_id,
        category=Category.INPUT,
        strength=Strength.INFO,
        title_key="finding.input.check_failed.title",
        detail_key="finding.input.check_failed.detail",
        fields={"check": check_id, "reason": type(exc).__name__},
    )
