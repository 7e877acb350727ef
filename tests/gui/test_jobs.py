"""JobRunner streaming jobs: partial results reach the GUI thread in order, before the result, never after cancel."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from shopguard.gui.jobs import JobRunner, PartialFn
from shopguard.progress import CancelToken, ProgressFn

TIMEOUT_MS = 10_000


@pytest.fixture
def runner() -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    assert jobs.shutdown(), "the pool stopped"


def test_partials_arrive_in_order_on_the_gui_thread_before_the_result(qtbot: QtBot, runner: JobRunner) -> None:
    received: list[Any] = []
    threads: set[threading.Thread] = set()
    worker_threads: set[threading.Thread] = set()

    def job(progress: ProgressFn, cancel: CancelToken, partial: PartialFn) -> str:
        worker_threads.add(threading.current_thread())
        for i in range(5):
            partial(i)
        return "done"

    def on_partial(value: Any) -> None:
        threads.add(threading.current_thread())
        received.append(value)

    with qtbot.waitSignal(runner.busy_changed, timeout=TIMEOUT_MS, check_params_cb=lambda busy: not busy):
        runner.submit_streaming(job, on_partial=on_partial, on_success=received.append)
    assert received == [0, 1, 2, 3, 4, "done"]
    assert threads == {threading.main_thread()}, "callbacks run on the GUI thread"
    assert threading.main_thread() not in worker_threads, "the job itself ran on the pool"


def test_no_partial_is_delivered_after_cancel(qtbot: QtBot, runner: JobRunner) -> None:
    received: list[Any] = []
    outcome: list[str] = []
    cancelled_seen = threading.Event()
    token: CancelToken | None = None

    def job(progress: ProgressFn, cancel: CancelToken, partial: PartialFn) -> str:
        partial("first")
        cancelled_seen.wait(5)  # the GUI cancels after seeing the first value
        partial("late")
        return "result"

    def on_partial(value: Any) -> None:
        received.append(value)
        assert token is not None
        token.cancel()
        cancelled_seen.set()

    with qtbot.waitSignal(runner.busy_changed, timeout=TIMEOUT_MS, check_params_cb=lambda busy: not busy):
        token = runner.submit_streaming(
            job,
            on_partial=on_partial,
            on_success=lambda r: outcome.append("success"),
            on_cancel=lambda: outcome.append("cancelled"),
        )
    assert received == ["first"]
    assert outcome == ["cancelled"]
