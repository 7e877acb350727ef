"""``shopguard`` command-line entry: argument parsing, logging, exit codes (docs/cli.md).

Exit codes: 0 ran; 2 usage; 3 a photo could not be read (others still processed); 4 home or library
unusable. Errors are one line on stderr; tracebacks go only to the log file in the home.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from typing import NoReturn

from shopguard import __version__
from shopguard.cli import commands
from shopguard.cli.console import error_line
from shopguard.errors import EXIT_USAGE, Cancelled, ShopGuardError, UsageError
from shopguard.paths import Home, resolve_home
from shopguard.report.upload_images import upload_presets

log = logging.getLogger(__name__)

SUBCOMMANDS = ("library", "check", "recheck", "cases", "report")
LANG_CHOICES = ("en", "zh", "zh_CN", "both")
PAPER_SIZES = ("A4", "Letter")
PRIVATE_HELP = "print the buyer's GPS position, owner names and serial numbers in the report (default: the setting)"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        error_line(f"{message} (see '{self.prog} --help')")
        raise SystemExit(EXIT_USAGE)


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from exc


def _case_options(parser: argparse.ArgumentParser) -> None:
    """Order facts and output options shared by ``check`` and ``recheck``."""
    parser.add_argument("--order-date", type=_iso_date, metavar="YYYY-MM-DD")
    parser.add_argument("--delivery-date", type=_iso_date, metavar="YYYY-MM-DD")
    parser.add_argument("--complaint-date", type=_iso_date, metavar="YYYY-MM-DD")
    parser.add_argument("--platform", metavar="NAME")
    parser.add_argument("--order-id", metavar="ID")
    parser.add_argument("--buyer", metavar="NAME")
    parser.add_argument("--claim", metavar="TEXT", help="the buyer's claim text")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--report", metavar="FILE.pdf", help="also write the evidence report")
    parser.add_argument("--lang", choices=LANG_CHOICES, default="en")
    parser.add_argument("--include-private-metadata", action="store_true", help=PRIVATE_HELP)


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    p = _Parser(prog="shopguard", description="Check buyers' complaint photos against your shop's own photos.")
    p.add_argument("--version", action="version", version=f"shopguard {__version__}")
    p.add_argument("--home", metavar="DIR", help="data folder (default: $SHOPGUARD_HOME or the per-user app folder)")
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    lib = sub.add_parser("library", help="manage the shop's product-photo library")
    lib_sub = lib.add_subparsers(dest="library_command", parser_class=_Parser, metavar="ACTION", required=True)
    add = lib_sub.add_parser("add", help="add photos and folders (recursive)")
    add.add_argument("paths", nargs="+", metavar="PATH")
    add.add_argument("--json", action="store_true", help="print a JSON summary")
    add.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes for fingerprinting (default: every core)"
    )
    add.add_argument(
        "--listed-since",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="when these photos' listing was published (recorded in the library journal)",
    )
    add.add_argument("--listing-url", metavar="URL", help="the listing's link (recorded in the library journal)")
    ver = lib_sub.add_parser("verify", help="check the library journal's hash chain")
    ver.add_argument("--json", action="store_true")
    lst = lib_sub.add_parser("list", help="list library photos")
    lst.add_argument("--json", action="store_true")
    rm = lib_sub.add_parser("remove", help="remove photos (or every photo under a folder) from the library")
    rm.add_argument("paths", nargs="+", metavar="PATH")
    rb = lib_sub.add_parser(
        "rebuild", help="set a damaged library aside and rebuild it from its photo folders (cases are untouched)"
    )
    rb.add_argument("folders", nargs="*", metavar="FOLDER", help="more folders to read (default: the library's own)")
    rb.add_argument("--json", action="store_true", help="print a JSON summary")

    chk = sub.add_parser("check", help="check complaint photos (one call = one case)")
    chk.add_argument("photos", nargs="+", metavar="PHOTO")
    _case_options(chk)
    rck = sub.add_parser("recheck", help="check an open case again, updating it in place (its history is kept)")
    rck.add_argument("case_id")
    _case_options(rck)

    cases = sub.add_parser("cases", help="list stored cases")
    cases_sub = cases.add_subparsers(dest="cases_command", parser_class=_Parser, metavar="ACTION", required=True)
    cl = cases_sub.add_parser("list")
    cl.add_argument("--json", action="store_true")
    cs = cases_sub.add_parser("show", help="print a stored case")
    cs.add_argument("case_id")
    cs.add_argument("--json", action="store_true")
    cs.add_argument("--lang", choices=LANG_CHOICES, default="en")
    ce = cases_sub.add_parser("export", help="write a case with its photos, reports and a SHA-256 manifest to a zip")
    ce.add_argument("case_id")
    ce.add_argument("-o", "--output", required=True, metavar="CASE.zip")
    ci = cases_sub.add_parser("import", help="verify a case archive (every SHA-256) and add its case")
    ci.add_argument("archive", metavar="CASE.zip")
    ci.add_argument("--json", action="store_true", help="print the imported case as JSON")

    rep = sub.add_parser("report", help="write the evidence report of a stored case")
    rep.add_argument("case_id")
    rep.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    rep.add_argument("--lang", choices=LANG_CHOICES, default="en")
    rep.add_argument(
        "--paper",
        choices=PAPER_SIZES,
        default=None,
        help="paper size (default: the one in the settings, A4 unless changed)",
    )
    rep.add_argument("--include-private-metadata", action="store_true", help=PRIVATE_HELP)
    rep.add_argument("--images", metavar="DIR", help="also write every page as an image into DIR")
    rep.add_argument("--image-format", choices=("png", "jpeg"), default="png")
    rep.add_argument("--dpi", type=int, default=150, help="resolution of the page images (36-600)")
    rep.add_argument(
        "--preset",
        choices=tuple(upload_presets()),
        default=None,
        help="with --images: pictures for this platform's upload form instead (a long image, then pages, "
        "within its count, width and size limits; shopguard/report/upload_presets.json)",
    )
    return p


def _setup_logging(home: Home) -> None:
    root = logging.getLogger()
    if any(isinstance(h, logging.FileHandler) for h in root.handlers):
        return
    try:
        handler = logging.FileHandler(home.log_file, encoding="utf-8")
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        home = Home(resolve_home(args.home)).ensure()
        _setup_logging(home)
        return commands.dispatch(args, home)
    except Cancelled as exc:
        error_line(exc.message("en"))
        return exc.exit_code
    except UsageError as exc:
        error_line(exc.message("en"))
        return exc.exit_code
    except ShopGuardError as exc:
        log.info("failed: %s", exc, exc_info=True)
        error_line(exc.message("en"))
        return exc.exit_code
    except KeyboardInterrupt:
        error_line("interrupted")
        return 130
    except Exception:
        log.exception("internal error")
        error_line("internal error; the details are in the log file in the data folder")
        return 1
