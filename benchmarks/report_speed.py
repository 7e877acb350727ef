"""Report speed: a three-photo case (two demo complaints + a 12 MP phone-size edit) rendered as a PDF.

Run from the repository root:  python benchmarks/report_speed.py [--runs N]
Prints one table; the target (issue 5) is <= 1.5 s per report, font registration shown separately;
then the page-image export and the upload pictures of the taobao preset (issue 15).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shopguard.cases.service import CheckRequest, check_photos  # noqa: E402
from shopguard.checks.context import CaseFacts  # noqa: E402
from shopguard.library.indexer import index_paths  # noqa: E402
from shopguard.library.store import LibraryStore  # noqa: E402
from shopguard.paths import Home  # noqa: E402
from shopguard.report.builder import build_report  # noqa: E402
from shopguard.report.fonts import register_fonts  # noqa: E402
from shopguard.report.options import ReportOptions  # noqa: E402
from shopguard.report.page_images import export_report_images  # noqa: E402
from shopguard.report.upload_images import export_upload_images, preset_named  # noqa: E402

DEMO = REPO / "resources" / "demo"
TARGET_S = 1.5


def _phone_sized_edit(folder: Path) -> Path:
    """A listing photo blown up to 4032x3024 (12 MP, a phone photo) with a painted stain."""
    with Image.open(DEMO / "library" / "abo__B07GTFSCHB__31afd5f5.jpg") as listing:
        big = listing.convert("RGB").resize((4032, 3024))
    ImageDraw.Draw(big).ellipse((1700, 1200, 2300, 1700), fill=(110, 80, 40))
    path = folder / "complaint-bottle-12mp.jpg"
    big.save(path, "JPEG", quality=90)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        register_fonts()
        font_s = time.perf_counter() - t0
        home = Home(folder / "home")
        store = LibraryStore(home.library_db)
        index_paths(store, [DEMO / "library"])
        photos = (*sorted((DEMO / "complaints").glob("*.jpg")), _phone_sized_edit(folder))
        facts = CaseFacts(order_date=date(2026, 11, 10), platform="Taobao", order_id="TB-1", buyer="b")
        case = check_photos(home, CheckRequest(photos=tuple(photos), facts=facts), store)
        rows: list[tuple[str, float, float, int, int]] = []
        for lang in ("en", "zh_CN", "both"):
            for paper in ("A4", "Letter"):
                times: list[float] = []
                out = folder / f"report-{lang}-{paper}.pdf"
                for _ in range(args.runs):
                    start = time.perf_counter()
                    build_report(case, out, ReportOptions(lang=lang, page_size=paper, shop_name="Demo shop"))
                    times.append(time.perf_counter() - start)
                rows.append(
                    (
                        f"{lang} {paper}",
                        statistics.median(times),
                        max(times),
                        out.stat().st_size,
                        len(PdfReader(str(out)).pages),
                    )
                )
        start = time.perf_counter()
        images = export_report_images(folder / "report-both-A4.pdf", folder / "pages", "png", dpi=150)
        export_s = time.perf_counter() - start
        preset = preset_named("taobao")
        start = time.perf_counter()
        uploads = export_upload_images(folder / "report-both-A4.pdf", folder / "upload", preset)
        upload_s = time.perf_counter() - start
        largest_kb = max(p.stat().st_size for p in uploads) / 1024
        store.close()
    print(f"case: {len(case.photos)} photos ({', '.join(p.name for p in case.photos)}); runs={args.runs}")
    print(f"font registration (once per process): {font_s * 1000:.0f} ms")
    print(f"{'report':<14} {'median ms':>10} {'max ms':>8} {'size KB':>8} {'pages':>6} {'target':>8}")
    for name, median, worst, size, pages in rows:
        verdict = "ok" if worst <= TARGET_S else "SLOW"
        print(f"{name:<14} {median * 1000:>10.0f} {worst * 1000:>8.0f} {size / 1024:>8.0f} {pages:>6} {verdict:>8}")
    print(f"page images: {len(images)} PNG pages at 150 dpi in {export_s * 1000:.0f} ms")
    print(
        f"upload pictures (taobao preset, both A4): {len(uploads)} JPEGs incl. the long image in "
        f"{upload_s * 1000:.0f} ms, largest {largest_kb:.0f} KB (limit {preset.max_bytes / 1024:.0f} KB)"
    )
    return 0 if all(r[2] <= TARGET_S for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
