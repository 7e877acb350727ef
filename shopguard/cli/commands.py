"""The CLI subcommands; each returns an exit code and prints results (JSON or plain text)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from shopguard.cases.archive import export_case, import_case
from shopguard.cases.library_rebuild import rebuild_library
from shopguard.cases.model import Case
from shopguard.cases.service import CheckRequest, check_photos
from shopguard.cases.store import CaseStore
from shopguard.checks.context import CaseFacts
from shopguard.cli.console import ProgressBar, error_line
from shopguard.errors import EXIT_BAD_IMAGE, EXIT_OK, UsageError
from shopguard.i18n import normalize_language, text
from shopguard.library.indexer import index_paths
from shopguard.library.schema import needs_upgrade
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.progress import CancelToken
from shopguard.report.builder import build_report
from shopguard.report.options import ReportOptions
from shopguard.report.page_images import export_report_images
from shopguard.settings import load_settings


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _text_lang(lang: str) -> str:
    """Language for CLI text and JSON strings ("both" prints English; the PDF holds both)."""
    return normalize_language("en" if lang == "both" else lang)


def _open_library(home: Home, lang: str = "en") -> LibraryStore:
    """The library store; a library from an earlier version is upgraded first, which is said on stderr."""
    if needs_upgrade(home.library_db):
        error_line(text("progress.library_upgrade", lang))
    return LibraryStore(home.library_db)


def dispatch(args: argparse.Namespace, home: Home) -> int:
    handler = {"library": _library, "check": _check, "cases": _cases, "report": _report}[args.command]
    return handler(args, home)


# --- library ----------------------------------------------------------------------------------
def _library(args: argparse.Namespace, home: Home) -> int:
    if args.library_command == "rebuild":  # before opening: the library may be too damaged to open
        return _rebuild(args, home)
    store = _open_library(home)
    if args.library_command == "add":
        bar = ProgressBar("en")
        cancel = CancelToken()
        # Ctrl+C cancels cleanly: photos indexed so far are kept, the exit code is 130 (main.py).
        previous = signal.signal(signal.SIGINT, lambda _sig, _frame: cancel.cancel())
        try:
            summary = index_paths(store, args.paths, progress=bar, cancel=cancel, workers=args.workers)
        finally:
            signal.signal(signal.SIGINT, previous)
            bar.close()
        for _path, exc in summary.failed:
            error_line(exc.message("en"))
        result = {
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "failed": [{"path": p, "reason": e.message("en")} for p, e in summary.failed],
            "missing": summary.missing,
            "total": store.count(),
        }
        if args.json:
            _print_json(result)
        else:
            print(
                f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}, "
                f"failed {len(summary.failed)}, marked missing {summary.missing}; "
                f"library now has {result['total']} photos"
            )
        return EXIT_BAD_IMAGE if summary.failed else EXIT_OK
    if args.library_command == "list":
        photos = store.photos()
        if args.json:
            _print_json({"photos": [p.to_json() for p in photos], "count": len(photos)})
        else:
            for p in photos:
                flag = "" if p.status == "present" else f"  [{p.status}]"
                print(f"{p.path}  {p.width}x{p.height} {p.format}  {p.sha256[:12]}{flag}")
            print(f"{len(photos)} photos")
        return EXIT_OK
    if args.library_command == "remove":
        targets = [str(Path(p).expanduser().absolute()) for p in args.paths]
        doomed = [
            r.path for r in store.photos() if r.path in targets or any(Path(r.path).is_relative_to(t) for t in targets)
        ]
        removed = store.remove(doomed) if doomed else 0
        print(f"removed {removed} photos from the library (the files themselves were not touched)")
        return EXIT_OK
    raise UsageError(reason=f"unknown library action {args.library_command}")


def _rebuild(args: argparse.Namespace, home: Home) -> int:
    bar = ProgressBar("en")
    try:
        summary = rebuild_library(home, args.folders, progress=bar)
    finally:
        bar.close()
    if args.json:
        _print_json(summary.to_json())
    else:
        print(
            text(
                "library.rebuilt",
                "en",
                added=summary.indexed.added,
                folders=len(summary.folders),
                case_photos=summary.case_photos,
                old=summary.set_aside or "-",
            )
        )
    for folder in summary.missing_folders:
        error_line(text("library.rebuild.folder_missing", "en", path=folder))
    for _path, exc in summary.indexed.failed:
        error_line(exc.message("en"))
    return EXIT_BAD_IMAGE if summary.indexed.failed else EXIT_OK


# --- check ------------------------------------------------------------------------------------
def _check(args: argparse.Namespace, home: Home) -> int:
    lang = _text_lang(args.lang)
    facts = CaseFacts(
        order_date=args.order_date,
        delivery_date=args.delivery_date,
        complaint_date=args.complaint_date,
        platform=args.platform,
        order_id=args.order_id,
        buyer=args.buyer,
        claim_text=args.claim,
    )
    store = _open_library(home, lang)
    outdated = store.outdated_feature_count()
    if outdated:
        error_line(text("library.outdated_features", lang, count=outdated))
    request = CheckRequest(photos=tuple(Path(p).expanduser().absolute() for p in args.photos), facts=facts)
    bar = ProgressBar(lang)
    try:
        case = check_photos(home, request, store, progress=bar)
    finally:
        bar.close()
    report_path: str | None = None
    if args.report:
        report_path = str(
            _write_report(home, case, Path(args.report), args.lang, include_private=args.include_private_metadata)
        )
        case = CaseStore(home.cases_dir).load(case.id)
    unreadable = [p for p in case.photos if not p.is_readable]
    for photo in unreadable:
        error_line(photo.findings[0].detail("en"))
    if args.json:
        _print_json(case.to_json(lang, report=report_path))
    else:
        _print_case(case, lang, report_path)
    return EXIT_BAD_IMAGE if unreadable else EXIT_OK


def _print_case(case: Case, lang: str, report_path: str | None) -> None:
    print(f"{text('report.case_id', lang, case_id=case.id)}: {case.verdict.summary(lang)}")
    for photo in case.photos:
        print(f"\n{photo.name}  [{text('verdict.level.' + photo.verdict.level.value, lang)}]")
        for f in photo.findings:
            print(f"  - [{text('strength.' + f.strength.value, lang)}] {f.title(lang)}")
            print(f"      {f.detail(lang)}")
    if report_path:
        print(f"\nreport: {report_path}")


def _write_report(
    home: Home, case: Case, out: Path, lang: str, paper: str | None = None, include_private: bool = False
) -> Path:
    lang_code = "both" if lang == "both" else normalize_language(lang)
    options = ReportOptions.from_settings(load_settings(home), lang=lang_code, page_size=paper)
    if include_private:  # --include-private-metadata: this report only, the setting is unchanged
        options = replace(options, include_gps=True)
    path = build_report(case, out.expanduser().absolute(), options)
    store = CaseStore(home.cases_dir)
    store.save(case.with_report(str(path)))
    return path


# --- cases and report -------------------------------------------------------------------------
def _cases(args: argparse.Namespace, home: Home) -> int:
    store = CaseStore(home.cases_dir)
    if args.cases_command == "list":
        cases = store.list()
        if args.json:
            _print_json({"cases": [c.summary_json("en") for c in cases]})
        else:
            for c in cases:
                who = " ".join(v for v in (c.facts.platform, c.facts.order_id, c.facts.buyer) if v)
                print(f"{c.id}  {c.status:8}  {c.verdict.level.value:8}  {len(c.photos)} photo(s)  {who}")
            print(f"{len(cases)} cases")
        return EXIT_OK
    if args.cases_command == "export":
        print(str(export_case(home.cases_dir, args.case_id, Path(args.output).expanduser().absolute())))
        return EXIT_OK
    if args.cases_command == "import":
        imported = import_case(home.cases_dir, Path(args.archive).expanduser().absolute())
        if args.json:
            _print_json(imported.to_json("en"))
        else:
            print(text("cases.imported", "en", case_id=imported.id, photos=len(imported.photos)))
        return EXIT_OK
    case = store.load(args.case_id)
    lang = _text_lang(args.lang)
    if args.json:
        _print_json(case.to_json(lang))
    else:
        _print_case(case, lang, None)
    return EXIT_OK


def _report(args: argparse.Namespace, home: Home) -> int:
    case = CaseStore(home.cases_dir).load(args.case_id)
    path = _write_report(home, case, Path(args.output), args.lang, args.paper, args.include_private_metadata)
    print(str(path))
    if args.images:
        images_dir = Path(args.images).expanduser().absolute()
        for image in export_report_images(path, images_dir, fmt=args.image_format, dpi=args.dpi):
            print(str(image))
    return EXIT_OK
