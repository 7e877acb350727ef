"""CaseStore: one folder per case in the home, holding case.json, copies of the photos and evidence.

Layout: ``cases/<case_id>/case.json``, ``photos/<n>-<name>``, ``evidence/<n>/...``, ``reports/``.
case.json is written atomically (temp file + rename) so a crash never leaves a half-written case.

A case being built holds a marker, ``.incomplete``, with the building process's id, from before its first file
until its case.json is in place. A check that is cancelled or fails removes its folder; one that is killed
leaves it, so every open of the store (a new check, the case list) removes folders without case.json whose
builder is gone: never listed, never kept. A complete case (one with case.json) is never touched.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

from shopguard.cases.model import CASE_STATUSES, Case
from shopguard.errors import CaseNotFoundError, HomeError, UsageError

log = logging.getLogger(__name__)

CASE_ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$")
INCOMPLETE_MARKER = ".incomplete"
UNMARKED_STALE_S = 3600.0
"""A case folder without case.json and without a marker (killed between creating the folder and writing the
marker, or left by a version before the marker) is removed once it is an hour old: no check of one complaint
runs that long, so an hour-old unmarked folder has no builder left."""
MARKED_STALE_S = 24 * 3600.0
"""A marker older than a day is stale even if its process id is alive again (ids are reused after a restart)."""


def _process_alive(pid: int) -> bool:
    """True when process ``pid`` exists. On Windows ``os.kill`` would end it, so there the age rules decide."""
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process with that id
        return True
    return True


def new_case_id(now: datetime | None = None) -> str:
    """``YYYYMMDD-HHMMSS-xxxx``: sortable by time, unique enough for one shop."""
    now = now or datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def safe_name(name: str) -> str:
    """A file name safe on every OS (keeps CJK letters)."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .")
    return cleaned[:120] or "photo"


class CaseStore:
    """Cases stored under ``cases_dir``."""

    def __init__(self, cases_dir: Path) -> None:
        self.cases_dir = Path(cases_dir)

    def case_dir(self, case_id: str) -> Path:
        if not CASE_ID_PATTERN.match(case_id):
            raise CaseNotFoundError(case_id=case_id)
        return self.cases_dir / case_id

    def photo_copy_path(self, case_id: str, index: int, name: str) -> Path:
        return self.case_dir(case_id) / "photos" / f"{index + 1:02d}-{safe_name(name)}"

    def evidence_dir(self, case_id: str, index: int) -> Path:
        return self.case_dir(case_id) / "evidence" / f"{index + 1:02d}"

    def reports_dir(self, case_id: str) -> Path:
        return self.case_dir(case_id) / "reports"

    def begin(self, case_id: str) -> None:
        """Create a new case's folder with its ``.incomplete`` marker (this process's id), before any other file.

        Raises:
            HomeError: when the folder cannot be written (disk full, permissions).
        """
        folder = self.case_dir(case_id)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / INCOMPLETE_MARKER).write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
        except OSError as exc:
            raise HomeError("error.case.write", path=str(folder), reason=exc.strerror or str(exc)) from exc

    def discard(self, case_id: str) -> None:
        """Remove a case folder that never got its case.json (a cancelled or failed check); a case is kept."""
        folder = self.case_dir(case_id)
        if folder.is_dir() and not (folder / "case.json").exists():
            shutil.rmtree(folder, ignore_errors=True)

    def clean_incomplete(self) -> int:
        """Remove folders of cases whose check was killed before case.json was written; returns how many.

        A folder with case.json is never touched; one whose builder is alive (its marker names a running process,
        written within a day) is left to finish. See ``UNMARKED_STALE_S``.
        """
        if not self.cases_dir.is_dir():
            return 0
        removed = 0
        now = time.time()
        for entry in self.cases_dir.iterdir():
            if not CASE_ID_PATTERN.match(entry.name) or (entry / "case.json").exists() or not entry.is_dir():
                continue
            marker = entry / INCOMPLETE_MARKER
            try:
                if marker.is_file():
                    age = now - marker.stat().st_mtime
                    pid = int(json.loads(marker.read_text(encoding="utf-8"))["pid"])
                    if age < MARKED_STALE_S and _process_alive(pid):
                        continue
                elif now - entry.stat().st_mtime < UNMARKED_STALE_S:
                    continue
            except (OSError, ValueError, KeyError, TypeError):
                if now - entry.stat().st_mtime < UNMARKED_STALE_S:  # a marker being written right now
                    continue
            if (entry / "case.json").exists():  # finished while we looked
                continue
            log.warning("removing case folder %s left by a check that did not finish", entry)
            shutil.rmtree(entry, ignore_errors=True)
            removed += not entry.exists()
        return removed

    def write_photo_copy(self, case_id: str, index: int, name: str, data: bytes) -> Path:
        """Store ShopGuard's own copy of a complaint photo's bytes.

        Raises:
            HomeError: when the copy cannot be written (disk full, permissions).
        """
        target = self.photo_copy_path(case_id, index, name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise HomeError("error.case.write", path=str(target), reason=exc.strerror or str(exc)) from exc
        return target

    def save(self, case: Case) -> Path:
        """Write ``case.json`` atomically.

        Raises:
            HomeError: when the file cannot be written.
        """
        folder = self.case_dir(case.id)
        target = folder / "case.json"
        tmp = folder / "case.json.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tmp.open("w", encoding="utf-8") as fh:
                fh.write(json.dumps(case.to_json("en"), ensure_ascii=False, indent=1))
                fh.flush()
                os.fsync(fh.fileno())  # on disk before the rename makes it the case: no empty case.json after a crash
            tmp.replace(target)
        except OSError as exc:
            raise HomeError("error.case.write", path=str(target), reason=exc.strerror or str(exc)) from exc
        (folder / INCOMPLETE_MARKER).unlink(missing_ok=True)  # the case is complete from the rename on
        return target

    def load(self, case_id: str) -> Case:
        """Raises:
        CaseNotFoundError: no such case, or its case.json is unreadable.
        """
        path = self.case_dir(case_id) / "case.json"
        try:
            return Case.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise CaseNotFoundError(case_id=case_id) from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise HomeError("error.case.corrupt", path=str(path), reason=str(exc)) from exc

    def list(self) -> list[Case]:
        """Every readable case, newest first (unreadable ones are skipped, not deleted; the folders of killed
        checks, which never got a case.json, are removed: ``clean_incomplete``)."""
        if not self.cases_dir.is_dir():
            return []
        self.clean_incomplete()
        cases = []
        for entry in sorted(self.cases_dir.iterdir(), reverse=True):
            if CASE_ID_PATTERN.match(entry.name) and (entry / "case.json").is_file():
                try:
                    cases.append(self.load(entry.name))
                except HomeError:
                    continue
        return cases

    def update(self, case_id: str, *, status: str | None = None, notes: str | None = None) -> Case:
        """Change a case's status or notes.

        Raises:
            UsageError: unknown status.
        """
        from dataclasses import replace

        case = self.load(case_id)
        if status is not None:
            if status not in CASE_STATUSES:
                raise UsageError("error.case.bad_status", status=status, allowed=", ".join(CASE_STATUSES))
            case = replace(case, status=status)
        if notes is not None:
            case = replace(case, notes=notes)
        self.save(case)
        return case
