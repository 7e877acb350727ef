"""The CLI subcommands; each returns an exit code and prints results (JSON or plain text)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopguard.cases.model import Case
from shopguard.cases.service import CheckRequest, check_photos, recheck_case
from shopguard.cases.store import CaseStore
from shopguard.checks.context import CaseFacts
from shopguard.cli.console import ProgressBar, error_line
from shopguard.errors import EXIT_BAD_IMAGE, EXIT_OK, UsageError
from shopguard.i18n import normalize_language, text
from shopguard.i18n.local_time import format_time
from shopguard.library.journal import JournalBrokenError
from shopguard.library.schema import needs_upgrade
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.progress import CancelToken
from shopguard.report.options import ReportOptions
from shopguard.settings import load_settings

if TYPE_CHECKING:
    from shopguard.library.indexer import IndexSummary


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
    handler = {"library": _library, "check": _check, "recheck": _recheck, "cases": _cases, "report": _report}
    return handler[args.command](args, home)


# --- library ----------------------------------------------------------------------------------
def _library(args: argparse.Namespace, home: Home) -> int:
    if args.library_command == "rebuild":  # before opening: the library may be too damaged to open
        return _rebuild(args, home)
    store = _open_library(home)
    if args.library_command == "add":
        from shopguard.library.indexer import index_paths  # process pools: loaded only to add photos

        bar = ProgressBar("en")
        cancel = CancelToken()
        # Ctrl+C cancels cleanly: photos indexed so far are kept, the exit code is 130 (main.py).
        previous = signal.signal(signal.SIGINT, lambda _sig, _frame: cancel.cancel())
        try:
            summary = index_paths(
                store,
                args.paths,
                progress=bar,
                cancel=cancel,
                workers=args.workers,
                listed_since=args.listed_since.isoformat() if args.listed_since else None,
                listing_url=args.listing_url,
            )
        finally:
            signal.signal(signal.SIGINT, previous)
            bar.close()
        store.record_verified()
        for _path, exc in summary.failed:
            error_line(exc.message("en"))
        result = {
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "failed": [{"path": p, "reason": e.message("en")} for p, e in summary.failed],
            "missing": summary.missing,
            "total": store.count(),
            "listed": summary.listed,
            "same_content": summary.same_content,
            "empty_folders": list(summary.empty_folders),
        }
        if args.json:
            _print_json(result)
        else:
            _print_index_summary(summary, store.count())
        return EXIT_BAD_IMAGE if summary.failed else EXIT_OK
    if args.library_command == "list":
        photos = store.photos()
        if args.json:
            _print_json({"photos": [p.to_json() for p in photos], "count": len(photos)})
        else:
            for p in photos:
                flag = "" if p.status == "present" else f"  [{p.status}]"
                print(f"{p.path}  {p.width}x{p.height} {p.format}  {p.sha256[:12]}{flag}")
            print(text("cli.count.photos", "en", count=len(photos)))
        return EXIT_OK
    if args.library_command == "verify":
        return _verify(store, home, args.json)
    if args.library_command == "remove":
        targets = [str(Path(p).expanduser().absolute()) for p in args.paths]
        # the photos' paths and their other locations (the same content added from a second folder)
        known = [r.path for r in store.photos()] + [p for paths in store.locations().values() for p in paths]
        doomed = [p for p in known if p in targets or any(Path(p).is_relative_to(t) for t in targets)]
        removed = store.remove(doomed) if doomed else 0
        if removed:
            store.refresh_index()
            store.record_verified()
        print(text("cli.library.removed", "en", count=removed))
        return EXIT_OK
    raise UsageError(reason=f"unknown library action {args.library_command}")


def _verify(store: LibraryStore, home: Home, as_json: bool) -> int:
    """``library verify``: the chain, then every case's recorded head still in it.

    Raises:
        JournalBrokenError: the first break found (exit code 4).
    """
    result = store.verify_journal()
    if not result.is_ok:
        reason = text(f"journal.problem.{result.problem}", "en")
        raise JournalBrokenError(seq=result.broken_at, reason=reason)
    held = {e.seq: e.entry_hash for e in store.journal_entries()}
    for case in CaseStore(home.cases_dir).list():
        recorded = case.library_journal_head
        if recorded and held.get(int(recorded.get("seq", 0))) != recorded.get("entry_hash"):
            reason = text(
                "journal.problem.rewritten", "en", case_id=case.id, entry_hash=str(recorded.get("entry_hash"))
            )
            raise JournalBrokenError(seq=recorded.get("seq"), reason=reason)
    head = result.head
    if as_json:
        _print_json(
            {
                "ok": True,
                "entries": result.entries,
                "head": {"seq": head.seq, "entry_hash": head.entry_hash} if head else None,
            }
        )
    elif head is None:
        print(text("journal.empty", "en"))
    else:
        print(text("journal.ok", "en", entries=result.entries, seq=head.seq, entry_hash=head.entry_hash))
    return EXIT_OK


def _print_index_summary(summary: IndexSummary, total: int) -> None:
    """The plain-text result of ``library add``; a folder without photos is said in words (exit code 0: the
    command ran, there was nothing to add), with the file types ShopGuard reads."""
    from shopguard.imaging.video_sniff import VIDEO_SUFFIXES
    from shopguard.library.indexer import IMAGE_SUFFIXES

    for folder in summary.empty_folders:
        print(
            text(
                "cli.library.no_photos", "en", folder=folder, suffixes=" ".join(sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES))
            )
        )
    line = text(
        "cli.library.summary",
        "en",
        added=summary.added,
        updated=summary.updated,
        unchanged=summary.unchanged,
        failed=len(summary.failed),
        missing=summary.missing,
        total=total,
    )
    if summary.same_content:
        line += " " + text("cli.library.same_content", "en", count=summary.same_content)
    print(line)


def _rebuild(args: argparse.Namespace, home: Home) -> int:
    from shopguard.cases.library_rebuild import rebuild_library  # the indexer's process pools: only to rebuild

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
_FACT_OPTIONS = {
    "order_date": "order_date",
    "delivery_date": "delivery_date",
    "complaint_date": "complaint_date",
    "platform": "platform",
    "order_id": "order_id",
    "buyer": "buyer",
    "claim_text": "claim",
}


def _given_facts(args: argparse.Namespace) -> dict[str, Any]:
    """The order facts given on the command line (options left out are not in the dict)."""
    return {name: getattr(args, option) for name, option in _FACT_OPTIONS.items() if getattr(args, option)}


def _check(args: argparse.Namespace, home: Home) -> int:
    lang = _text_lang(args.lang)
    store = _open_library(home, lang)
    outdated = store.outdated_feature_count()
    if outdated:
        error_line(text("library.outdated_features", lang, count=outdated))
    photos = tuple(Path(p).expanduser().absolute() for p in args.photos)
    request = CheckRequest(photos=photos, facts=CaseFacts(**_given_facts(args)))
    bar = ProgressBar(lang)
    try:
        case = check_photos(home, request, store, progress=bar)
    finally:
        bar.close()
    store.record_verified()  # the next command need not read the whole library file again (recovery.py)
    return _show_checked(args, home, case, lang)


def _recheck(args: argparse.Namespace, home: Home) -> int:
    """``recheck CASE_ID``: the stored facts, with the options given replacing them one by one."""
    lang = _text_lang(args.lang)
    old = CaseStore(home.cases_dir).load(args.case_id)
    store = _open_library(home, lang)
    bar = ProgressBar(lang)
    try:
        case = recheck_case(home, old.id, store, facts=replace(old.facts, **_given_facts(args)), progress=bar)
    finally:
        bar.close()
    store.record_verified()
    return _show_checked(args, home, case, lang)


def _show_checked(args: argparse.Namespace, home: Home, case: Case, lang: str) -> int:
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
    if case.created_at:
        print(text("cli.case.checked_at", lang, time=format_time(case.created_at, lang)))
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
    from shopguard.report.builder import build_report  # reportlab: ~0.2 s to load, only for a report

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
                photos = text("cli.count.photos", "en", count=len(c.photos))
                created = format_time(c.created_at, "en")
                print(f"{c.id}  {created}  {c.status:8}  {c.verdict.level.value:8}  {photos}  {who}")
            print(text("cli.count.cases", "en", count=len(cases)))
        return EXIT_OK
    if args.cases_command in ("export", "import"):
        from shopguard.cases.archive import export_case, import_case  # zip archives: only these two commands
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
    preset = getattr(args, "preset", None)
    if preset and not args.images:
        raise UsageError(reason="--preset needs --images DIR (the folder for the pictures)")
    case = CaseStore(home.cases_dir).load(args.case_id)
    path = _write_report(home, case, Path(args.output), args.lang, args.paper, args.include_private_metadata)
    print(str(path))
    if args.images:
        from shopguard.report.page_images import export_report_images  # pypdfium2
        from shopguard.report.upload_images import export_upload_images, preset_named

        images_dir = Path(args.images).expanduser().absolute()
        if preset:
            images = export_upload_images(path, images_dir, preset_named(preset))
        else:
            images = export_report_images(path, images_dir, fmt=args.image_format, dpi=args.dpi)
        for image in images:
            print(str(image))
    return EXIT_OK
