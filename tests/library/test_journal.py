"""The library journal: each addition hash-chained with the photo's dates; any later edit is detected (issue 15)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image

from shopguard.library.indexer import index_paths
from shopguard.library.journal import existed_before
from shopguard.library.schema import MIGRATIONS
from shopguard.library.store import LibraryStore


@pytest.fixture
def library(tmp_path: Path, demo: Path) -> LibraryStore:
    folder = tmp_path / "shop"
    shutil.copytree(demo / "library", folder)
    store = LibraryStore(tmp_path / "library.sqlite3")
    index_paths(store, [folder], workers=1)
    return store


def _tamper(store: LibraryStore, *statements: str) -> None:
    """What someone editing the database by hand would do: the append-only triggers go first."""
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("DROP TRIGGER library_journal_no_update")
        conn.execute("DROP TRIGGER library_journal_no_delete")
        for statement in statements:
            conn.execute(statement)


def test_every_library_photo_has_a_chained_entry(library: LibraryStore) -> None:
    entries = library.journal_entries()
    assert sorted(e.sha256 for e in entries) == sorted(p.sha256 for p in library.photos())
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in pairwise(entries))
    check = library.verify_journal()
    assert check.is_ok and check.entries == 12 and check.head == entries[-1]


def test_the_journal_refuses_plain_edits(library: LibraryStore) -> None:
    with sqlite3.connect(library.db_path) as conn, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM library_journal WHERE seq = 3")


@pytest.mark.parametrize(
    ("statements", "broken_at", "problem"),
    [
        (
            ['UPDATE library_journal SET dates_json = \'{"first_seen":"2020-01-01T00:00:00+00:00"}\' WHERE seq = 5'],
            5,
            "edited",
        ),
        (["DELETE FROM library_journal WHERE seq = 7"], 7, "missing"),
        (["DELETE FROM library_journal WHERE seq = 12"], None, None),  # the last entry: only a recorded head shows it
        (
            [
                "UPDATE library_journal SET seq = 100 WHERE seq = 3",
                "UPDATE library_journal SET seq = 3 WHERE seq = 4",
                "UPDATE library_journal SET seq = 4 WHERE seq = 100",
            ],
            3,
            "out-of-order",
        ),
    ],
    ids=["edited", "removed", "removed-last", "re-ordered"],
)
def test_an_edited_removed_or_reordered_entry_breaks_the_chain(
    library: LibraryStore, statements: list[str], broken_at: int | None, problem: str | None
) -> None:
    head_before = library.journal_head()
    _tamper(library, *statements)
    check = library.verify_journal()
    assert (check.broken_at, check.problem) == (broken_at, problem)
    if problem is None:  # a case made before records the head it was checked against
        assert head_before is not None and check.head is not None and check.head.entry_hash != head_before.entry_hash


def test_listing_dates_are_recorded_and_the_earliest_plausible_one_wins(tmp_path: Path, demo: Path) -> None:
    folder = tmp_path / "shop"
    folder.mkdir()
    source = next((demo / "library").glob("*.jpg"))
    with Image.open(source) as im:
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = "Canon", "EOS 80D"  # Make, Model
        exif.get_ifd(0x8769)[0x9003] = "2024:05:02 10:11:12"  # DateTimeOriginal
        im.save(folder / "camera.jpg", exif=exif, quality=92)
        wrong_clock = Image.Exif()
        wrong_clock.get_ifd(0x8769)[0x9003] = "1999:12:31 00:00:00"  # a camera restarted at its factory date
        im.save(folder / "reset.jpg", exif=wrong_clock, quality=90)
    september = datetime(2026, 9, 1, 12, tzinfo=UTC).timestamp()
    os.utime(folder / "reset.jpg", (september, september))
    store = LibraryStore(tmp_path / "library.sqlite3")
    index_paths(store, [folder], workers=1)
    by_name = {Path(p.path).name: p for p in store.photos()}
    camera = store.listing_evidence(by_name["camera.jpg"].sha256)
    assert camera is not None and camera.to_json() == {
        "date": "2024-05-02T10:11:12",
        "source": "exif_capture",
        "detail": "Canon EOS 80D",
    }
    reset = store.listing_evidence(by_name["reset.jpg"].sha256)
    assert reset is not None and (reset.source, reset.date) == ("file_modified", "2026-09-01T12:00:00+00:00")
    index_paths(store, [folder / "reset.jpg"], listed_since="2026-03-15", listing_url="https://shop.example/p/1")
    listed = store.listing_evidence(by_name["reset.jpg"].sha256)
    assert listed is not None and listed.to_json() == {
        "date": "2026-03-15",
        "source": "listed_since",
        "detail": "https://shop.example/p/1",
    }
    assert listed.entry.event == "listing" and listed.entry == store.journal_head()
    assert store.photo_by_path(str(folder / "reset.jpg")).listed_since == "2026-03-15"  # type: ignore[union-attr]
    assert store.verify_journal().is_ok


def test_before_the_order_holds_in_every_time_zone() -> None:
    assert existed_before("2026-10-31", date(2026, 11, 1))
    assert not existed_before("2026-11-01", date(2026, 11, 1)), "the same day is not before"
    assert existed_before("2026-10-31T09:00:00+00:00", date(2026, 11, 1))
    assert not existed_before("2026-10-31T20:00:00+00:00", date(2026, 11, 1)), "already Nov 1 in Beijing"
    assert existed_before("2026-10-31T23:59:00", date(2026, 11, 1)), "camera time is read as the camera showed it"


def test_a_library_made_before_the_journal_gets_one_entry_per_photo(library: LibraryStore) -> None:
    photos = library.photos()
    library.close()
    with sqlite3.connect(library.db_path) as conn:  # as version 5 left it
        conn.execute("DROP TABLE library_journal")
        conn.execute("ALTER TABLE photos DROP COLUMN listed_since")
        conn.execute("ALTER TABLE photos DROP COLUMN listing_url")
        conn.execute("PRAGMA user_version = 5")
    upgraded = LibraryStore(library.db_path)
    with sqlite3.connect(library.db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert [p.sha256 for p in upgraded.photos()] == [p.sha256 for p in photos], "no photo lost"
    entries = upgraded.journal_entries()
    assert {e.event for e in entries} == {"imported"} and len(entries) == len(photos)
    assert {e.dates["first_seen"] for e in entries} == {p.added_at for p in photos}
    assert upgraded.verify_journal().is_ok
