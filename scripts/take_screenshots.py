"""Drive the ShopGuard window offscreen and save screenshots of its main states into docs/screenshots/.

Usage: ``python scripts/take_screenshots.py [OUT_DIR]`` (from the repository root). Uses a temporary
data home with the bundled demo shop; nothing on the machine is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Window state (QSettings) goes to a throwaway folder so the user's saved geometry is never used.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="sg-shots-config-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer, QUrl
from PySide6.QtWidgets import QWidget

from shopguard.gui.app import setup_application
from shopguard.gui.main_window import MainWindow
from shopguard.gui.state import Dialogs
from shopguard.paths import Home, resource_path


class ScriptedDialogs(Dialogs):
    """Answers every question without a modal dialog; never opens external programs."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def save_report_path(self, parent: QWidget, title: str, suggested: Path) -> Path | None:
        return self.out / "report.pdf"

    def open_url(self, url: QUrl) -> bool:
        return True


def wait_until(predicate: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Run the event loop until ``predicate`` holds (a script, not the app: blocking here is fine)."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        QTimer.singleShot(30, loop.quit)
        loop.exec()


def settle(window: MainWindow) -> None:
    window.grab()  # paint once, so views request what they show (thumbnails, images)
    wait_until(lambda: window.state.runner.is_idle)
    loop = QEventLoop()
    QTimer.singleShot(150, loop.quit)
    loop.exec()


def shoot(window: MainWindow, out: Path, name: str) -> None:
    settle(window)
    path = out / f"{name}.png"
    window.grab().save(str(path))
    print(path)


def shoot_live_check(window: MainWindow, out: Path, photos: list[Path]) -> None:
    """A check of several photos while it runs: the first photo's results, the others still pending.

    Taken only if the first photo's pictures are on screen before the check ends (timing-dependent on
    a busy machine); the check is then let finish, so later shots start from a quiet window.
    """
    page = window.check_page
    page.new_check()
    page.check_files([*photos, *photos])  # four photos: long enough to catch the live view
    evidence = page.result_view.evidence
    wait_until(lambda: not page.is_checking or (page.result_view.is_live and evidence.photo_view.has_image))
    if page.is_checking:
        window.grab()
        path = out / "10-result-live.png"
        window.grab().save(str(path))
        print(path)
    wait_until(lambda: window.state.runner.is_idle)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = setup_application(["shopguard"])
    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp) / "home").ensure()
        window = MainWindow(home)
        window.state.dialogs = ScriptedDialogs(Path(tmp))
        window.state.set_language("en")
        window.show()
        window.start()
        shoot(window, out, "01-empty-first-run")
        window.library_view.add_demo_shop()
        settle(window)
        window.check_page.start_view.order_form.order_id_edit.setText("TB-2026-118842")
        window.check_page.start_view.order_form.buyer_edit.setText("lin***88")
        window.check_page.start_view.order_form.set_platform("taobao")
        shoot(window, out, "02-empty-with-demo")
        complaint = resource_path("demo", "complaints", "complaint-bag-stain.jpg")
        window.check_page.check_files([complaint])
        # The result view shows each photo as soon as it is checked; the case exists once all are done.
        wait_until(lambda: not window.check_page.is_checking)
        first_case_id = window.check_page.case.id  # type: ignore[union-attr]
        shoot(window, out, "03-result-strong")
        items = window.check_page.result_view.finding_items()
        if items:
            window.check_page.result_view.findings_tree.setCurrentItem(items[0])
        shoot(window, out, "04-result-evidence")
        shoot(window, out, "main-result")  # the README's screenshot
        window.check_page.new_check()
        window.check_page.check_files([resource_path("demo", "complaints", "complaint-bulb-resaved.jpg")])
        wait_until(lambda: not window.check_page.is_checking)
        window.show_page(MainWindow.PAGE_CASES)
        shoot(window, out, "05-cases")
        window.show_page(MainWindow.PAGE_LIBRARY)
        settle(window)
        settle(window)
        model = window.library_view.model
        wait_until(lambda: model.thumbnail_count >= min(12, model.rowCount()))
        shoot(window, out, "06-library")
        window.show_page(MainWindow.PAGE_SETTINGS)
        shoot(window, out, "07-settings")
        window.show_page(MainWindow.PAGE_CHECK)
        shoot_live_check(window, out, [complaint, resource_path("demo", "complaints", "complaint-bulb-resaved.jpg")])
        window.state.set_language("zh_CN")
        window.show_page(MainWindow.PAGE_CHECK)
        window.check_page.open_case(first_case_id)
        items = window.check_page.result_view.finding_items()
        if items:
            window.check_page.result_view.findings_tree.setCurrentItem(items[0])
        shoot(window, out, "08-result-chinese")
        window.check_page.new_check()
        shoot(window, out, "09-empty-chinese")
        window.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
