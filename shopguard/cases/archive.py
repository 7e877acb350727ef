"""A case as one self-checking zip: how a seller moves evidence to a new computer or hands it to a lawyer.

The archive holds ``case.json``, the stored photo copies, the evidence images, the reports and the library
photos the findings cite, plus ``manifest.json`` listing every member's SHA-256. Import verifies every hash,
and that each photo copy still has the SHA-256 recorded at the check, before anything enters the home; a
member that was changed, added or removed refuses the whole archive. Members are read by name from the
manifest only (no path from the archive is trusted: zip-slip), with caps on count, size and compression ratio
(zip bombs), and extracted into a temporary folder renamed into place at the end.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from shopguard import __version__
from shopguard.cases.model import Case
from shopguard.cases.store import CaseStore, safe_name
from shopguard.errors import ArchiveError, HomeError

log = logging.getLogger(__name__)

FORMAT = "shopguard-case-archive"
VERSION = 1
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 4 * 1024**3
"""A case holds a few photos, evidence images and reports: far below 4 GB even with 50 MP originals."""
MAX_RATIO = 200
"""JPEG, PNG and PDF barely compress; a member inflating over 200x is a bomb (a JSON manifest reaches ~10x)."""
_SAFE_MEMBER = re.compile(r"^(?:[^/\\:\x00]+/)*[^/\\:\x00]+$")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _members(store: CaseStore, case: Case) -> dict[str, Path]:
    """Archive name -> file: the case folder, reports kept elsewhere, and cited library photos."""
    folder = store.case_dir(case.id)
    members = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}
    members = {name: p for name, p in members.items() if not name.endswith(".tmp")}
    for report in case.reports:
        path = Path(report)
        if path.is_file() and not path.is_relative_to(folder):
            members.setdefault(f"reports/{safe_name(path.name)}", path)
    cited = dict.fromkeys(f.library_photo for p in case.photos for f in p.findings if f.library_photo)
    for n, library_photo in enumerate(cited, start=1):
        path = Path(library_photo or "")
        if path.is_file():
            members[f"library/{n:02d}-{safe_name(path.name)}"] = path
    return members


def export_case(cases_dir: Path, case_id: str, out_path: Path) -> Path:
    """Write case ``case_id`` with its manifest to ``out_path`` (a zip; written to a temporary, then renamed).

    Raises:
        CaseNotFoundError: no such case.
        HomeError: a file of the case cannot be read or the archive cannot be written.
    """
    store = CaseStore(cases_dir)
    case = store.load(case_id)
    members = _members(store, case)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        files = {name: _sha256_file(path) for name, path in members.items()}
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "case_id": case.id,
            "case_dir": str(store.case_dir(case.id)),
            "reports": {r: f"reports/{safe_name(Path(r).name)}" for r in case.reports},
            "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "exported_by": f"ShopGuard {__version__}",
            "files": files,
        }
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            for name, path in members.items():
                archive.write(path, name)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.replace(out_path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise HomeError("error.case.write", path=str(out_path), reason=exc.strerror or str(exc)) from exc
    return out_path


def _check_member_name(name: str) -> None:
    parts = PurePosixPath(name).parts
    if not _SAFE_MEMBER.match(name) or name.startswith("/") or any(p in ("..", ".") for p in parts):
        raise ArchiveError("error.archive.unsafe_path", name=name)


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError("error.archive.too_large", path=str(path))
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES or any(
        i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos
    ):
        raise ArchiveError("error.archive.too_large", path=str(path))
    try:
        info = archive.getinfo("manifest.json")
        if info.file_size > 16 * 1024 * 1024:
            raise ArchiveError("error.archive.too_large", path=str(path))
        manifest = json.loads(archive.read(info).decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError("error.archive.not_case", path=str(path)) from exc
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
    ):
        raise ArchiveError("error.archive.not_case", path=str(path))
    if manifest.get("version") != VERSION:
        raise ArchiveError("error.archive.version", path=str(path), version=str(manifest.get("version")))
    names = {i.filename for i in infos if not i.is_dir()} - {"manifest.json"}
    listed = set(manifest["files"])
    for name in names | listed:
        _check_member_name(name)
    if names != listed:
        extra = sorted(names ^ listed)[0]
        raise ArchiveError("error.archive.tampered", path=str(path), name=extra)
    return manifest


def _extract(archive: zipfile.ZipFile, name: str, expected: str, target: Path, path: Path) -> None:
    """Copy one member to ``target`` while hashing it; never more bytes than its header declares."""
    info = archive.getinfo(name)
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as src, target.open("wb") as dst:
        for block in iter(lambda: src.read(1 << 20), b""):
            written += len(block)
            if written > info.file_size:
                raise ArchiveError("error.archive.tampered", path=str(path), name=name)
            digest.update(block)
            dst.write(block)
    if digest.hexdigest() != expected:
        raise ArchiveError("error.archive.tampered", path=str(path), name=name)


def _relocated(value: Any, old: str, new: str) -> Any:
    """Every string path under the exporting computer's case folder moved under this one's."""
    if isinstance(value, str):
        return new + value[len(old) :] if old and value.startswith(old) else value
    if isinstance(value, list):
        return [_relocated(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _relocated(v, old, new) for k, v in value.items()}
    return value


def import_case(cases_dir: Path, archive_path: Path) -> Case:
    """Verify an exported case archive and add the case to ``cases_dir``.

    Raises:
        ArchiveError: not a case archive, unsafe member names, too large, or any member changed.
        HomeError: the case already exists here, or it cannot be written.
    """
    store = CaseStore(cases_dir)
    try:
        archive = zipfile.ZipFile(archive_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError("error.archive.not_case", path=str(archive_path)) from exc
    with archive:
        manifest = _read_manifest(archive, archive_path)
        case_id = str(manifest.get("case_id", ""))
        target = store.case_dir(case_id)  # checks the id's form
        if target.exists():
            raise HomeError("error.archive.exists", case_id=case_id, path=str(target))
        staging = cases_dir / f".import-{case_id}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            for name, expected in manifest["files"].items():
                _extract(archive, name, str(expected), staging / name, archive_path)
            data = json.loads((staging / "case.json").read_text(encoding="utf-8"))
            reports = {old: str(target / arc) for old, arc in (manifest.get("reports") or {}).items()}
            data["reports"] = [reports.get(r, r) for r in data.get("reports", [])]
            case = Case.from_json(_relocated(data, str(manifest.get("case_dir", "")), str(target)))
            for photo in case.photos:  # the copy is still the file that was checked
                if photo.stored_path:
                    relative = Path(photo.stored_path).relative_to(target).as_posix()
                    if manifest["files"].get(relative) != photo.sha256:
                        raise ArchiveError("error.archive.tampered", path=str(archive_path), name=relative)
            (staging / "case.json").write_text(
                json.dumps(case.to_json("en"), ensure_ascii=False, indent=1), encoding="utf-8"
            )
            staging.replace(target)
        except (OSError, ValueError, KeyError) as exc:
            raise ArchiveError("error.archive.not_case", path=str(archive_path)) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    log.info("case %s imported from %s", case.id, archive_path)
    return store.load(case.id)
