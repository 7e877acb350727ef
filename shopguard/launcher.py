"""The ``shopguard`` command: with no subcommand it opens the desktop app, otherwise the CLI runs.

``shopguard`` and ``shopguard PHOTO...`` (a first argument that is an existing file, not a subcommand) open
the app, with the photos checked as if dropped on its window; ``shopguard check ...`` and every other
subcommand run the CLI exactly as before.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shopguard.cli.main import build_parser
from shopguard.cli.main import main as cli_main


def _subcommands() -> set[str]:
    """The CLI's subcommand names, read from its parser (so a new subcommand never opens the app)."""
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def wants_gui(argv: list[str]) -> bool:
    """True when ``argv`` (``--home DIR`` allowed) names no subcommand and no option such as ``--help``, or
    when its first argument is an existing file that is not a subcommand's name (``shopguard photo.jpg``)."""
    rest = list(argv)
    while rest[:1] == ["--home"] and len(rest) >= 2:
        rest = rest[2:]
    rest = [a for a in rest if not a.startswith("--home=")]
    if not rest:
        return True
    first = rest[0]
    return not first.startswith("-") and Path(first).is_file() and first not in _subcommands()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if wants_gui(args):
        from shopguard.gui.app import main as gui_main

        return gui_main(args)
    return cli_main(args)
