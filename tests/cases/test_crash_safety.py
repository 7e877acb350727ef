"""Killed processes, a busy library, a full disk and a read-only home: the stored evidence survives all of them.

Like the indexing kill test (tests/library/test_indexer.py): a real ``shopguard`` process is SIGKILLed at the
moment it is writing, then a fresh process looks at what is left.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.cases.store import CaseStore
from shopguard.cli.main import main
from shopguard.library.store import LibraryStore
from shopguard.paths import Home

REPO = Path(__file__).resolve().parents[2]


def _cli(home: Path, *args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    """``shopguard ARGS`` in a new process on ``home`` (output discarded unless ``stdout``/``stderr`` are given)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SHOPGUARD_HOME": str(home), "SHOPGUARD_STRICT": ""}
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL} | kwargs
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]  # kwargs are Popen's own
        [sys.executable, "-m", "shopguard", *args], env=env, cwd=REPO, **streams
    )


def _kill_when(proc: subprocess.Popen[bytes], appeared: object, timeout_s: float = 90) -> bool:
    """SIGKILL ``proc`` as soon as ``appeared()`` is true; False when the process finished first."""
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None and time.monotonic() < deadline:
        if appeared():  # type: ignore[operator]
            proc.kill()
            proc.wait(timeout=30)
            return True
        time.sleep(0.002)
    proc.wait(timeout=30)
    return False


def _library_intact(home: Path, count: int) -> None:
    store = LibraryStore(home / "library.sqlite3")  # runs PRAGMA quick_check
    assert store.count() == count
    store.close()


@pytest.fixture
def indexed_home(demo: Path, tmp_path: Path) -> tuple[Path, int]:
    home = tmp_path / "home"
    assert main(["--home", str(home), "library", "add", str(demo / "library"), "--workers", "1"]) == 0
    return home, LibraryStore(home / "library.sqlite3").count()


def test_a_check_killed_mid_run_leaves_no_case_and_an_intact_library(
    demo: Path, indexed_home: tuple[Path, int]
) -> None:
    home, count = indexed_home
    photos = [str(p) for p in sorted((demo / "complaints").glob("*.jpg"))]
    cases_dir = home / "cases"
    # a complete case from before must survive the clean-up untouched
    assert main(["--home", str(home), "check", photos[0], "--json"]) == 0
    (earlier,) = CaseStore(cases_dir).list()
    earlier_files = {p: p.read_bytes() for p in (cases_dir / earlier.id).rglob("*") if p.is_file()}
    proc = _cli(home, "check", *photos, "--json")
    killed = _kill_when(proc, lambda: len(list(cases_dir.glob("*/photos/*"))) > len(earlier.photos))
    assert killed, "the check finished before it could be killed"
    (leftover,) = [d for d in cases_dir.iterdir() if d.name != earlier.id]
    assert not (leftover / "case.json").exists() and (leftover / ".incomplete").is_file()
    assert [c.id for c in CaseStore(cases_dir).list()] == [earlier.id]  # the killed one is cleanly absent...
    assert not leftover.exists()  # ...and its folder is gone at the next open
    assert {p: p.read_bytes() for p in (cases_dir / earlier.id).rglob("*") if p.is_file()} == earlier_files
    _library_intact(home, count)
    # a restarted check works and is complete
    assert main(["--home", str(home), "check", photos[0], "--json"]) == 0
    cases = CaseStore(cases_dir).list()
    assert len(cases) == 2 and all(len(c.photos) == 1 and c.photos[0].is_readable for c in cases)
    assert not list(cases_dir.glob("*/.incomplete"))


def test_clean_up_leaves_cases_being_built_and_fresh_folders_alone(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "cases")
    store.begin("20261204-120000-aaaa")  # this process is building it: alive
    (tmp_path / "cases" / "20261204-120000-aaaa" / "photos").mkdir()
    (tmp_path / "cases" / "20261204-120001-bbbb").mkdir()  # no marker yet, just created
    stale = tmp_path / "cases" / "20261204-120002-cccc"
    stale.mkdir()
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = tmp_path / "cases" / "20261204-120003-dddd"
    gone.mkdir()
    (gone / ".incomplete").write_text(json.dumps({"pid": int(dead.stdout)}))
    assert store.clean_incomplete() == 2
    assert sorted(d.name for d in (tmp_path / "cases").iterdir()) == ["20261204-120000-aaaa", "20261204-120001-bbbb"]


def test_a_cancelled_check_leaves_no_case_folder(demo: Path, tmp_path: Path) -> None:
    from shopguard.errors import Cancelled
    from shopguard.progress import CancelToken

    home = Home(tmp_path / "home").ensure()
    cancel = CancelToken()
    photos = tuple(sorted((demo / "complaints").glob("*.jpg")))[:2]
    store = LibraryStore(home.library_db)

    def photo_checked(_photo: object) -> None:
        cancel.cancel()  # after the first photo's copy and evidence are written

    with pytest.raises(Cancelled):
        check_photos(home, CheckRequest(photos=photos), store, cancel=cancel, photo_checked=photo_checked)
    store.close()
    assert not any(home.cases_dir.iterdir())


def test_a_report_killed_while_written_is_never_listed_half_written(
    demo: Path, indexed_home: tuple[Path, int], tmp_path: Path
) -> None:
    home, count = indexed_home
    photo = sorted((demo / "complaints").glob("*.jpg"))[0]
    case = check_photos(Home(home), CheckRequest(photos=(photo,)), LibraryStore(home / "library.sqlite3"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "report.pdf"
    proc = _cli(home, "report", case.id, "-o", str(out), "--lang", "en")
    killed = _kill_when(proc, lambda: any(out_dir.iterdir()))  # the first byte of the PDF is on disk
    stored = CaseStore(home / "cases").load(case.id)
    # The PDF is written to a hidden temporary file and renamed when whole: whenever the kill came (on a fast
    # machine it can come after the rename), a report.pdf in place is a whole PDF, never a half-written one.
    assert killed or proc.returncode == 0
    if out.exists():
        assert PdfReader(out).pages
    for listed in stored.reports:  # whatever is listed is a whole PDF
        assert PdfReader(listed).pages
    _library_intact(home, count)


def _folder_of(demo: Path, folder: Path, copies: int) -> Path:
    folder.mkdir()
    for i in range(copies):
        for p in sorted((demo / "library").glob("*.jpg")):
            data = bytearray(p.read_bytes())
            data[-3] = (data[-3] + i + 1) % 256  # a different file each time (same picture)
            (folder / f"{i:02d}-{p.name}").write_bytes(bytes(data))
    return folder


def test_cli_library_add_while_the_app_checks_photos(
    demo: Path, indexed_home: tuple[Path, int], tmp_path: Path
) -> None:
    home, count = indexed_home
    more = _folder_of(demo, tmp_path / "more", copies=2)
    added = len(list(more.iterdir()))
    store = LibraryStore(home / "library.sqlite3")
    photo = sorted((demo / "complaints").glob("*.jpg"))[0]
    proc = _cli(home, "library", "add", str(more), "--workers", "1", stderr=subprocess.PIPE)
    checks = 0
    while proc.poll() is None or checks == 0:
        case = check_photos(Home(home), CheckRequest(photos=(photo,)), store)  # reads and writes the same library
        assert case.photos[0].is_readable
        checks += 1
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert store.count() == count + added
    assert len(store.case_photos()) == checks


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 6 MB file system (tmpfs), where the platform lets this process mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_gives_a_clear_error_and_loses_nothing(
    demo: Path, small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = small_disk / "home"
    library = sorted((demo / "library").glob("*.jpg"))[:4]
    assert main(["--home", str(home), "library", "add", *map(str, library), "--workers", "1"]) == 0
    complaints = sorted((demo / "complaints").glob("*.jpg"))
    capsys.readouterr()
    assert main(["--home", str(home), "check", str(complaints[0]), "--json"]) == 0
    case_id = json.loads(capsys.readouterr().out)["case_id"]
    case_json = (home / "cases" / case_id / "case.json").read_bytes()
    filler = _fill(small_disk)

    assert main(["--home", str(home), "check", str(complaints[1])]) == 4
    assert "No space left on device" in capsys.readouterr().err
    assert main(["--home", str(home), "report", case_id, "-o", str(home / "r.pdf")]) == 4
    assert "Could not write the report" in capsys.readouterr().err
    assert not list(home.glob("*.pdf")) and not list(home.glob(".*.tmp"))
    assert main(["--home", str(home), "library", "add", str(demo / "library"), "--workers", "1"]) in (3, 4)

    filler.unlink()
    assert (home / "cases" / case_id / "case.json").read_bytes() == case_json
    assert [c.id for c in CaseStore(home / "cases").list()] == [case_id]
    with sqlite3.connect(home / "library.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert LibraryStore(home / "library.sqlite3").count() >= 4


def test_a_read_only_home_is_one_clear_error(demo: Path, small_disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = small_disk / "home"
    photo = str(sorted((demo / "complaints").glob("*.jpg"))[0])
    assert _cli(home, "check", photo).wait(timeout=120) == 0  # in another process: no file here stays open
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        capsys.readouterr()
        assert main(["--home", str(home), "check", photo]) == 4
        err = capsys.readouterr().err
        assert "cannot be used" in err and "Read-only file system" in err
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert len(CaseStore(home / "cases").list()) == 1


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="POSIX file-size limit")
def test_a_write_refused_by_the_system_is_a_clear_error_without_root(demo: Path, tmp_path: Path) -> None:
    """Where no file system can be mounted: a file-size limit makes every large write fail (EFBIG)."""
    home = tmp_path / "home"
    photo = str(sorted((demo / "complaints").glob("*.jpg"))[0])
    assert main(["--home", str(home), "check", photo]) == 0

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    proc = _cli(home, "check", photo, preexec_fn=limit, stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err.decode()
    assert "File too large" in err.decode()
    assert len(CaseStore(home / "cases").list()) == 1
