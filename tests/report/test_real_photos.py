"""Reports of cases made by the real pipeline from the shared test photos (C2PA, AI metadata, PNG, WebP)."""

from __future__ import annotations

from pathlib import Path

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.report.builder import build_report
from shopguard.report.options import ReportOptions
from tests.report.conftest import FACTS
from tests.report.pdf_reading import fonts, is_embedded, page_count, pdf_text, squash

PHOTOS = (
    "c2pa/adobe-20220124-CA.jpg",
    "ai-metadata/sd-metadata__jpg__civitai.jpeg",
    "ai-metadata/sd-metadata__png__comfyui.png",
    "ai-metadata/sd-metadata__webp__sd-webui.webp",
)


def test_report_of_real_test_photos(testdata: Path, demo: Path, isolated_home: Path, tmp_path: Path) -> None:
    home = Home(isolated_home)
    store = LibraryStore(home.library_db)
    index_paths(store, [demo / "library"])
    photos = tuple(testdata / p for p in PHOTOS)
    case = check_photos(home, CheckRequest(photos=photos, facts=FACTS), store)
    store.close()
    out = build_report(case, tmp_path / "real.pdf", ReportOptions(lang="both", page_size="Letter"))
    body = pdf_text(out)
    for photo in case.photos:
        assert photo.sha256 and photo.sha256 in body
        for finding in photo.findings:
            assert squash(finding.title("zh_CN")) in body
            assert squash(finding.title("en")) in body
    assert all(is_embedded(f) for f in fonts(out))
    assert out.stat().st_size < 4 * 1024 * 1024
    assert 3 <= page_count(out) <= 20
