"""check_photos reports each photo as soon as its checks finish (issue 6: results appear as they come)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from shopguard.cases.model import CasePhoto
from shopguard.cases.service import CheckRequest, check_photos
from shopguard.cases.store import CaseStore
from shopguard.errors import Cancelled
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.progress import CancelToken, Progress

CAMERA = "Canon_PowerShot_S40.jpg"


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


def test_each_photo_is_reported_before_the_next_is_checked(
    home: Home, demo: Path, testdata: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "chat-download.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    photos = (demo / "complaints" / "complaint-bag-stain.jpg", broken, testdata / "exif-camera" / CAMERA)
    events: list[tuple[str, str]] = []
    stored_when_reported: list[int] = []

    def on_progress(p: Progress) -> None:
        if p.message_key == "progress.photo":
            events.append(("progress", p.fields["name"]))

    def on_photo(photo: CasePhoto) -> None:
        events.append(("photo", photo.name))
        stored_when_reported.append(len(CaseStore(home.cases_dir).list()))

    library = LibraryStore(home.library_db)
    try:
        case = check_photos(home, CheckRequest(photos=photos), library, progress=on_progress, photo_checked=on_photo)
    finally:
        library.close()
    reported = [name for kind, name in events if kind == "photo"]
    assert reported == [p.name for p in photos], "every photo, unreadable ones too, in the order given"
    for earlier, later in pairwise(photos):
        assert events.index(("photo", earlier.name)) < events.index(("progress", later.name)), (
            f"{earlier.name} is reported before {later.name} starts"
        )
    assert stored_when_reported == [0, 0, 0], "results arrive before the case is stored"
    stored = CaseStore(home.cases_dir).load(case.id)
    assert [p.name for p in stored.photos] == reported
    assert not stored.photos[1].is_readable


def test_partial_results_are_the_final_ones(home: Home, demo: Path, testdata: Path) -> None:
    received: list[CasePhoto] = []
    library = LibraryStore(home.library_db)
    try:
        photos = (demo / "complaints" / "complaint-bulb-resaved.jpg", testdata / "exif-camera" / CAMERA)
        case = check_photos(home, CheckRequest(photos=photos), library, photo_checked=received.append)
    finally:
        library.close()
    assert tuple(received) == case.photos
    assert all(p.stored_path and Path(p.stored_path).is_file() for p in received), "the copy exists already"


def test_cancel_after_the_first_photo_stores_nothing(home: Home, demo: Path, testdata: Path) -> None:
    token = CancelToken()
    received: list[str] = []

    def on_photo(photo: CasePhoto) -> None:
        received.append(photo.name)
        token.cancel()  # the seller has seen enough

    library = LibraryStore(home.library_db)
    photos = (testdata / "exif-camera" / CAMERA, demo / "complaints" / "complaint-bag-stain.jpg")
    try:
        with pytest.raises(Cancelled):
            check_photos(home, CheckRequest(photos=photos), library, cancel=token, photo_checked=on_photo)
    finally:
        library.close()
    assert received == [CAMERA]
    assert CaseStore(home.cases_dir).list() == []


def test_without_a_callback_nothing_changes(home: Home, testdata: Path) -> None:
    library = LibraryStore(home.library_db)
    try:
        case = check_photos(home, CheckRequest(photos=(testdata / "exif-camera" / CAMERA,)), library)
    finally:
        library.close()
    assert len(case.photos) == 1 and case.photos[0].is_readable
