"""The ``shopguard`` command: with no subcommand it opens the desktop app, otherwise the CLI runs."""

from __future__ import annotations

import sys

from shopguard.cli.main import main as cli_main


def wants_gui(argv: list[str]) -> bool:
    """True when ``argv`` names no subcommand and no ``--help``/``--version`` (``--home DIR`` allowed)."""
    rest = list(argv)
    while rest[:1] == ["--home"] and len(rest) >= 2:
        rest = rest[2:]
    rest = [a for a in rest if not a.startswith("--home=")]
    return not rest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if wants_gui(args):
        from shopguard.gui.app import main as gui_main

        return gui_main(args)
    return cli_main(args)
