"""Progress reports and cancellation for slow engine functions (Qt-free; the GUI wraps them).

Slow functions take ``progress: ProgressFn | None`` and ``cancel: CancelToken | None``; they call
``cancel.raise_if_cancelled()`` between units of work and report ``Progress`` values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shopguard.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` units (total 0 = unknown); ``message_key`` + ``fields`` say what is happening."""

    done: int
    total: int
    message_key: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total > 0 else None


ProgressFn = Callable[[Progress], None]


class CancelToken:
    """A thin, thread-safe wrapper over ``threading.Event``."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def is_cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raises:
        Cancelled: when ``cancel()`` was called.
        """
        if self._event.is_set():
            raise Cancelled()


def report(progress: ProgressFn | None, done: int, total: int, message_key: str = "", **fields: Any) -> None:
    """Call ``progress`` if given."""
    if progress is not None:
        progress(Progress(done, total, message_key, dict(fields)))


def check_cancel(cancel: CancelToken | None) -> None:
    """Raise ``Cancelled`` if ``cancel`` is set."""
    if cancel is not None:
        cancel.raise_if_cancelled()
