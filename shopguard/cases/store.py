"""CaseStore: one folder per case in the home, holding case.json, copies of the photos and evidence.

Layout: ``cases/<case_id>/case.json``, ``photos/<n>-<name>``, ``evidence/<n>/...``, ``reports/``.
case.json is written atomically (temp file + rename) so a crash never leaves a half-written case.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from datetime import datetime
from pathlib import Path

from shopguard.cases.model import CASE_STATUSES, Case
from shopguard.errors import CaseNotFoundError, HomeError, UsageError

CASE_ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$")


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
        """Every readable case, newest first (unreadable ones are skipped, not deleted)."""
        if not self.cases_dir.is_dir():
            return []
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
