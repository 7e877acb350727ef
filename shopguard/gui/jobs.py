"""JobRunner: the only way the GUI runs slow engine functions (GUIDE.md, "Threading").

A job is a plain callable ``fn(progress, cancel) -> result`` built from immutable inputs captured on
the GUI thread. The runner owns one ``QThreadPool`` (at most 2 threads) and one signal holder created
on the GUI thread; runnables only get a reference to it, so no QObject is created or destroyed on a
worker thread (github.com/saga-soft/novelWriter/issues/2926). Results, progress and failures arrive as
queued signals and are dispatched to per-job callbacks on the GUI thread.

A streaming job (``submit_streaming``) also gets a ``partial(value)`` function: each value it hands
over (an immutable result of one unit of work, e.g. one checked photo) crosses to the GUI thread as a
queued signal too, in order and always before the job's final outcome.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from shopguard.errors import Cancelled, ShopGuardError
from shopguard.progress import CancelToken, Progress, ProgressFn

log = logging.getLogger(__name__)

MAX_THREADS = 2

JobFn = Callable[[ProgressFn, CancelToken], Any]
PartialFn = Callable[[Any], None]
StreamingJobFn = Callable[[ProgressFn, CancelToken, PartialFn], Any]


@dataclass(frozen=True)
class JobFailure:
    """Why a job failed: an expected ``ShopGuardError`` or a bug (with its traceback text)."""

    error: BaseException
    details: str

    @property
    def is_expected(self) -> bool:
        return isinstance(self.error, ShopGuardError)


@dataclass
class _Callbacks:
    on_success: Callable[[Any], object] | None
    on_failure: Callable[[JobFailure], object] | None
    on_progress: Callable[[Progress], object] | None
    on_cancel: Callable[[], object] | None
    cancel: CancelToken
    on_partial: Callable[[Any], object] | None = None


class JobSignals(QObject):
    """Signals shared by every runnable; lives on the GUI thread."""

    progressed = Signal(int, object)
    partial_ready = Signal(int, object)
    succeeded = Signal(int, object)
    failed = Signal(int, object)
    cancelled = Signal(int)


class _JobRunnable(QRunnable):
    def __init__(self, job_id: int, fn: JobFn, cancel: CancelToken, signals: JobSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job_id = job_id
        self._fn = fn
        self._cancel = cancel
        self._signals = signals

    def run(self) -> None:
        def progress(p: Progress) -> None:
            if not self._cancel.is_cancelled:
                self._signals.progressed.emit(self._job_id, p)

        try:
            result = self._fn(progress, self._cancel)
        except Cancelled:
            self._signals.cancelled.emit(self._job_id)
        except ShopGuardError as exc:
            self._signals.failed.emit(self._job_id, JobFailure(exc, traceback.format_exc()))
        except Exception as exc:  # a bug in a job must reach the user as a dialog, not kill the thread
            log.exception("job %d crashed", self._job_id)
            self._signals.failed.emit(self._job_id, JobFailure(exc, traceback.format_exc()))
        else:
            if self._cancel.is_cancelled:
                self._signals.cancelled.emit(self._job_id)
            else:
                self._signals.succeeded.emit(self._job_id, result)


class JobRunner(QObject):
    """Runs jobs on a private pool and reports back on the GUI thread.

    Signals:
        busy_changed(bool): True when the first job starts, False when the last one ends.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = MAX_THREADS) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._signals = JobSignals(self)
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Callbacks] = {}
        self._signals.progressed.connect(self._on_job_progressed)
        self._signals.partial_ready.connect(self._on_job_partial_ready)
        self._signals.succeeded.connect(self._on_job_succeeded)
        self._signals.failed.connect(self._on_job_failed)
        self._signals.cancelled.connect(self._on_job_cancelled)

    @property
    def active_count(self) -> int:
        """Jobs submitted whose outcome has not yet been delivered."""
        return len(self._jobs)

    @property
    def is_idle(self) -> bool:
        return not self._jobs and self._pool.activeThreadCount() == 0

    def submit(
        self,
        fn: JobFn,
        *,
        on_success: Callable[[Any], object] | None = None,
        on_failure: Callable[[JobFailure], object] | None = None,
        on_progress: Callable[[Progress], object] | None = None,
        on_cancel: Callable[[], object] | None = None,
    ) -> CancelToken:
        """Queue ``fn`` on the pool; returns its cancel token. Callbacks run on the GUI thread."""
        callbacks = _Callbacks(on_success, on_failure, on_progress, on_cancel, CancelToken())
        self._start(next(self._ids), fn, callbacks)
        return callbacks.cancel

    def submit_streaming(
        self,
        fn: StreamingJobFn,
        *,
        on_partial: Callable[[Any], object],
        on_success: Callable[[Any], object] | None = None,
        on_failure: Callable[[JobFailure], object] | None = None,
        on_progress: Callable[[Progress], object] | None = None,
        on_cancel: Callable[[], object] | None = None,
    ) -> CancelToken:
        """Like ``submit``, but ``fn(progress, cancel, partial)`` may hand over results as it goes.

        Each value given to ``partial`` on the worker reaches ``on_partial`` on the GUI thread (not after
        a cancel), before ``on_success``. Values must be immutable: both threads see the same object.
        """
        job_id = next(self._ids)
        callbacks = _Callbacks(on_success, on_failure, on_progress, on_cancel, CancelToken(), on_partial)
        signals, token = self._signals, callbacks.cancel

        def partial(value: Any) -> None:
            if not token.is_cancelled:
                signals.partial_ready.emit(job_id, value)

        self._start(job_id, lambda progress, cancel: fn(progress, cancel, partial), callbacks)
        return token

    def _start(self, job_id: int, fn: JobFn, callbacks: _Callbacks) -> None:
        was_idle = not self._jobs
        self._jobs[job_id] = callbacks
        self._pool.start(_JobRunnable(job_id, fn, callbacks.cancel, self._signals))
        if was_idle:
            self.busy_changed.emit(True)

    def cancel_all(self) -> None:
        for callbacks in self._jobs.values():
            callbacks.cancel.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the workers; True when they all stopped in time."""
        self.cancel_all()
        self._pool.clear()
        done = self._pool.waitForDone(timeout_ms)
        self._jobs.clear()
        return bool(done)

    def _finish(self, job_id: int) -> _Callbacks | None:
        callbacks = self._jobs.pop(job_id, None)
        if callbacks is not None and not self._jobs:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(int, object)
    def _on_job_progressed(self, job_id: int, progress: Progress) -> None:
        callbacks = self._jobs.get(job_id)
        if callbacks and callbacks.on_progress and not callbacks.cancel.is_cancelled:
            callbacks.on_progress(progress)

    @Slot(int, object)
    def _on_job_partial_ready(self, job_id: int, value: Any) -> None:
        callbacks = self._jobs.get(job_id)
        if callbacks and callbacks.on_partial and not callbacks.cancel.is_cancelled:
            callbacks.on_partial(value)

    @Slot(int, object)
    def _on_job_succeeded(self, job_id: int, result: Any) -> None:
        callbacks = self._finish(job_id)
        if callbacks and callbacks.on_success:
            callbacks.on_success(result)

    @Slot(int, object)
    def _on_job_failed(self, job_id: int, failure: JobFailure) -> None:
        callbacks = self._finish(job_id)
        if callbacks and callbacks.on_failure:
            callbacks.on_failure(failure)

    @Slot(int)
    def _on_job_cancelled(self, job_id: int) -> None:
        callbacks = self._finish(job_id)
        if callbacks and callbacks.on_cancel:
            callbacks.on_cancel()
