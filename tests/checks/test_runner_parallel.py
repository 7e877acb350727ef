"""The checks of one photo run on two threads: the same findings as one after another, progress on the caller's
thread, and a cancel that stops them (no check of the run left running)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Finding
from shopguard.checks.registry import Check, builtin_checks
from shopguard.checks.runner import LONG_FIRST, run_checks
from shopguard.errors import Cancelled
from shopguard.imaging import probe, read_source
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.progress import CancelToken, Progress
from tests.checks.forensic_edits import clone_patch, paint_stain
from tests.checks.forensic_support import load_photo


@pytest.fixture(scope="module")
def library(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> LibraryStore:
    store = LibraryStore(tmp_path_factory.mktemp("library") / "library.sqlite3")
    index_paths(store, [demo / "library"], workers=1)
    return store


def _photos(testdata: Path, demo: Path, folder: Path) -> list[Path]:
    """Real photos that give many kinds of findings: the demo complaints (library match with and without a
    region), a listing photo with a painted stain, a copy-move edit, an AI image with generator metadata, a
    Content Credentials JPEG, a camera JPEG with EXIF, a HEIC."""
    listing = load_photo(demo / "library" / "abo__B0799CK52K__528c608a.jpg")
    stained, _ = paint_stain(listing, folder / "stained.jpg", seed=3, quality=80)
    cloned, _, _ = clone_patch(
        load_photo(
            testdata
            / "product-photos-more"
            / sorted(p.name for p in (testdata / "product-photos-more").glob("*.jpg"))[0]
        ),
        folder / "cloned.jpg",
        seed=1,
    )
    return [
        *sorted((demo / "complaints").glob("*.jpg")),
        stained,
        cloned,
        testdata / "ai-metadata" / "sd-metadata__png__sd-webui.png",
        testdata / "c2pa" / "adobe-20220124-CA.jpg",
        testdata / "exif-camera" / "Canon_40D.jpg",
        testdata / "heic-avif" / "pillow-heif__heif__zPug_3.heic",
    ]


def _run(photo: Path, library: LibraryStore, evidence: Path, threads: int, **kw: Any) -> list[dict[str, Any]]:
    source = read_source(photo)
    ctx = CheckContext(source=source, facts=probe(source), library=library, artifact_dir=evidence, **kw)
    findings = run_checks(ctx, threads=threads).findings
    found: list[dict[str, Any]] = json.loads(json.dumps([f.to_json() for f in findings]).replace(str(evidence), "E"))
    return found


def test_two_threads_give_the_findings_of_one_after_another(
    testdata: Path, demo: Path, tmp_path: Path, library: LibraryStore
) -> None:
    kinds: set[str] = set()
    for i, photo in enumerate(_photos(testdata, demo, tmp_path)):
        serial = _run(photo, library, tmp_path / f"serial-{i}", threads=1)
        parallel = _run(photo, library, tmp_path / f"parallel-{i}", threads=2)
        assert parallel == serial, photo.name
        kinds |= {f"{f['check']}:{f['strength']}" for f in serial}
        for image in sorted((tmp_path / f"serial-{i}").glob("*")):  # the evidence pictures too, byte for byte
            assert (tmp_path / f"parallel-{i}" / image.name).read_bytes() == image.read_bytes(), image.name
    # the photos exercised the long checks and gave real results, not only "nothing found"
    assert {"library-match:strong", "copy-move:moderate", "generator-metadata:strong"} <= kinds, kinds


class _Recorded:
    """A real check, with the threads it ran on and whether it started recorded."""

    started: ClassVar[list[str]] = []

    def __init__(self, inner: Check) -> None:
        self.inner = inner
        self.id = inner.id
        self.order = inner.order
        self.threads: set[str] = set()

    def run(self, ctx: CheckContext) -> list[Finding]:
        self.started.append(self.id)
        self.threads.add(threading.current_thread().name)
        return self.inner.run(ctx)


def test_progress_is_reported_on_the_callers_thread_and_the_long_checks_start_first(
    demo: Path, tmp_path: Path, library: LibraryStore
) -> None:
    checks = [_Recorded(c) for c in builtin_checks()]
    _Recorded.started.clear()
    seen: list[tuple[Progress, str]] = []
    source = read_source(demo / "complaints" / "complaint-bag-stain.jpg")
    ctx = CheckContext(source=source, facts=probe(source), library=library, artifact_dir=tmp_path)

    def progress(p: Progress) -> None:
        seen.append((p, threading.current_thread().name))

    run_checks(ctx, cast(list[Check], checks), progress=progress, threads=2)
    assert {name for _, name in seen} == {threading.current_thread().name}
    dones = [p.done for p, _ in seen]
    assert dones == sorted(dones) and dones[-1] == len(checks) and seen[-1][0].message_key == "progress.check_done"
    assert set(_Recorded.started[:2]) == set(LONG_FIRST[:2])  # one on each thread
    assert all(c.threads and all(t.startswith("shopguard-check") for t in c.threads) for c in checks)


def test_cancel_stops_the_checks_and_leaves_none_running(demo: Path, tmp_path: Path, library: LibraryStore) -> None:
    """Cancelled as soon as the first check is done: checks not started never start, the ones running stop at
    their next cancellation point, and run_checks returns only when none is running."""
    checks = [_Recorded(c) for c in builtin_checks()]
    _Recorded.started.clear()
    cancel = CancelToken()
    source = read_source(demo / "complaints" / "complaint-bag-stain.jpg")
    ctx = CheckContext(source=source, facts=probe(source), library=library, artifact_dir=tmp_path, cancel=cancel)

    def progress(p: Progress) -> None:
        if p.done >= 1:
            cancel.cancel()

    with pytest.raises(Cancelled):
        run_checks(ctx, cast(list[Check], checks), progress=progress, threads=2)
    assert not [t for t in threading.enumerate() if t.name.startswith("shopguard-check")]
    assert 0 < len(_Recorded.started) < len(checks)


def test_a_cancel_before_the_run_starts_no_check(demo: Path, tmp_path: Path, library: LibraryStore) -> None:
    checks = [_Recorded(c) for c in builtin_checks()]
    _Recorded.started.clear()
    cancel = CancelToken()
    cancel.cancel()
    source = read_source(demo / "complaints" / "complaint-bag-stain.jpg")
    ctx = CheckContext(source=source, facts=probe(source), library=library, artifact_dir=tmp_path, cancel=cancel)
    for threads in (1, 2):
        with pytest.raises(Cancelled):
            run_checks(ctx, cast(list[Check], checks), threads=threads)
    assert _Recorded.started == []


def test_a_cancel_reaches_the_library_match_while_it_runs(demo: Path, tmp_path: Path, library: LibraryStore) -> None:
    """The library match on its own thread sees the cancel between its candidates: cancelled from the
    progress of the short checks on the other thread, it stops before it finishes."""
    match = next(c for c in builtin_checks() if c.id == "library-match")
    finished: list[str] = []

    class _Finishing:
        id: ClassVar[str] = "library-match"
        order: ClassVar[int] = 10

        def run(self, ctx: CheckContext) -> list[Finding]:
            found = match.run(ctx)
            finished.append("library-match")
            return found

    cancel = CancelToken()
    source = read_source(demo / "complaints" / "complaint-bag-stain.jpg")
    ctx = CheckContext(source=source, facts=probe(source), library=library, artifact_dir=tmp_path, cancel=cancel)
    short = [c for c in builtin_checks() if c.id in ("camera-metadata", "capture-time")]
    with pytest.raises(Cancelled):
        run_checks(ctx, [_Finishing(), *short], progress=lambda p: cancel.cancel() if p.done else None, threads=2)
    assert finished == []
