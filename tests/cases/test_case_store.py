"""Cases on disk: stored with copies of the photos, reopened, updated, robust to damage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.cases.store import CaseStore
from shopguard.checks.context import CaseFacts
from shopguard.errors import CaseNotFoundError, UsageError
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.progress import CancelToken


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


def test_a_case_round_trips_with_its_photo_copies(home: Home, demo: Path) -> None:
    library = LibraryStore(home.library_db)
    index_paths(library, [demo / "library"])
    photo = demo / "complaints" / "complaint-bag-stain.jpg"
    facts = CaseFacts(
        order_date=date(2026, 11, 1),
        delivery_date=date(2026, 11, 3),
        platform="Pinduoduo",
        order_id="PDD-1",
        buyer="李四",
        claim_text="包有污渍",
    )
    case = check_photos(home, CheckRequest(photos=(photo,), facts=facts), library)
    store = CaseStore(home.cases_dir)
    again = store.load(case.id)
    assert again == case
    assert again.facts.buyer == "李四" and again.facts.delivery_date == date(2026, 11, 3)
    stored = Path(again.photos[0].stored_path or "")
    assert stored.read_bytes() == photo.read_bytes() and stored.parent.parent == home.cases_dir / case.id
    assert again.to_json("zh_CN")["verdict"]["summary"] != again.to_json("en")["verdict"]["summary"]
    updated = store.update(case.id, status="appealed", notes="uploaded report")
    assert store.load(case.id).status == "appealed" == updated.status
    with pytest.raises(UsageError):
        store.update(case.id, status="maybe")


def test_cancel_stores_nothing(home: Home, demo: Path) -> None:
    token = CancelToken()
    token.cancel()
    from shopguard.errors import Cancelled

    with pytest.raises(Cancelled):
        check_photos(
            home,
            CheckRequest(photos=(demo / "complaints" / "complaint-bag-stain.jpg",)),
            LibraryStore(home.library_db),
            cancel=token,
        )
    assert CaseStore(home.cases_dir).list() == []


def test_damaged_case_file_is_skipped_not_deleted(home: Home, demo: Path) -> None:
    library = LibraryStore(home.library_db)
    case = check_photos(home, CheckRequest(photos=(demo / "complaints" / "complaint-bulb-resaved.jpg",)), library)
    broken = home.cases_dir / "20200101-000000-beef"
    broken.mkdir()
    (broken / "case.json").write_text("{not json", encoding="utf-8")
    assert [c.id for c in CaseStore(home.cases_dir).list()] == [case.id]
    assert (broken / "case.json").exists()
    with pytest.raises(CaseNotFoundError):
        CaseStore(home.cases_dir).load("../../etc")
