"""Terminal output helpers: one-line errors, a progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from shopguard.i18n import text
from shopguard.progress import Progress


def error_line(message: str, stream: TextIO | None = None) -> None:
    """Print one line ``shopguard: <message>`` on stderr."""
    print(f"shopguard: {message}", file=stream or sys.stderr)


class ProgressBar:
    """Count, rate and ETA on one redrawn line when stderr is a terminal; silent otherwise."""

    def __init__(self, lang: str, stream: TextIO | None = None, min_interval_s: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.lang = lang
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.min_interval_s = min_interval_s

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last_draw < self.min_interval_s and p.done < p.total:
            return
        self.last_draw = now
        elapsed = now - self.started
        rate = p.done / elapsed if elapsed > 0 else 0.0
        eta = (p.total - p.done) / rate if rate > 0 and p.total else 0.0
        width = 24
        filled = int(width * (p.fraction or 0))
        bar = "#" * filled + "-" * (width - filled)
        line = f"\r[{bar}] {p.done}/{p.total}  {rate:5.1f}/s  ETA {eta:4.0f}s "
        self.stream.write(line[:120])
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def label(key: str, lang: str, **fields: object) -> str:
    return text(key, lang, **fields)
