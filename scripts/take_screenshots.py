"""Drive the ShopGuard window offscreen, save screenshots of every state, and check what a person would see.

Usage: ``python scripts/take_screenshots.py [OUT_DIR]`` (from the repository root; default docs/screenshots).
Uses a temporary data home with the bundled demo shop; nothing on the machine is touched.

Each state is shot in both languages, at the window's default size and at 1366×768 (a common laptop screen),
into ``OUT_DIR/<lang>/<size>/NN-state.png``; ``OUT_DIR/main-result.png`` is the README's picture. On every
shot the script asserts what a person would notice, not one instance of it:

- no finding row of the result page is cut off (each row's rectangle lies inside the list's viewport);
- no visible text (labels, buttons, tabs, list and table cells, the status bar) holds a raw ISO 8601 time;
- no visible text says "(s)" or counts one as plural ("1 photos", "1 findings");
- the Chinese window shows no English words (beyond proper nouns, file names and ids: ``LATIN_ALLOWED``);
- the banner's sentence does not repeat its title.

It exits non-zero, listing every problem, when one of them fails.
"""

from __future__ import annotations

import html
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Window state (QSettings) goes to a throwaway folder so the user's saved geometry is never used.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="sg-shots-config-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image
from PySide6.QtCore import QEventLoop, QModelIndex, QTimer, QUrl
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QTabBar,
    QTableView,
    QTreeView,
    QTreeWidget,
    QWidget,
)

from shopguard.gui.app import setup_application
from shopguard.gui.file_dialogs import make_file_dialog
from shopguard.gui.main_window import DEFAULT_SIZE, MainWindow
from shopguard.gui.state import Dialogs
from shopguard.i18n import catalog
from shopguard.paths import Home, resource_path

SIZES = {f"{DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}": DEFAULT_SIZE, "1366x768": (1366, 768)}
LANGS = ("en", "zh_CN")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
BAD_PLURAL = re.compile(r"\(s\)|\b1 (photos|findings|cases|regions|hints|files)\b|\(1 findings\)")
# What may stay Latin in the Chinese window: proper nouns, platform names, units and format names.
LATIN_ALLOWED = {
    "ShopGuard",
    "SHA",
    "PDF",
    "JPEG",
    "JPG",
    "PNG",
    "HEIC",
    "WebP",
    "EXIF",
    "Exif",
    "GPS",
    "AI",
    "ORB",
    "ELA",
    "C2PA",
    "Ctrl",
    "MB",
    "KB",
    "px",
    "ISO",
    "Taobao",
    "Amazon",
    "eBay",
    "Etsy",
    "Shopify",
    "JD",
    "Tmall",
    "TB",
    "lin",
    "UTC",  # the time zone, written so in Chinese too ("UTC时间"); the engine's dates carry it
}
NOT_WORDS = [
    re.compile(r"\bhttps?://\S+"),  # web addresses (the listing-URL example)
    re.compile(r"[\w.-]+\.(?:jpe?g|png|pdf|heic|webp|tiff?|avif|bmp|gif)\b", re.I),  # file names
    re.compile(r"(?:[A-Za-z]:)?[/\\][^\s，。：；]*"),  # paths
    re.compile(r"\b\d{8}-\d{6}-[0-9a-f]+\b"),  # case ids
    re.compile(r"\b[A-Za-z]+-[\w-]*\d[\w*-]*"),  # order ids and other ids the seller typed ("TB-2026-118842")
    re.compile(r"\b[0-9a-f]{12,}\b"),  # hashes
    re.compile(r"\.[a-z0-9]{2,5}\b"),  # suffixes (".jpg .heic ...")
]


class ScriptedDialogs(Dialogs):
    """Answers every question without a modal dialog; never opens external programs."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.has_viewer = True

    def save_report_path(self, parent: QWidget, title: str, suggested: Path) -> Path | None:
        return self.out / "ShopGuard-report.pdf"

    def open_url(self, url: QUrl) -> bool:
        return self.has_viewer


def save_png(widget: QWidget, path: Path) -> None:
    """The widget as it looks, in 256 colours (a third of the bytes; the UI and photos still read well)."""
    widget.grab().save(str(path))
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
    small.save(path, optimize=True)


def wait_until(predicate: Callable[[], bool], timeout_s: float = 90.0) -> None:
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


# --- what a person sees ---------------------------------------------------------------------------
def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text)) if "<" in text else text


def _view_texts(view: QAbstractItemView) -> Iterator[str]:
    model = view.model()
    if model is None:
        return
    viewport = view.viewport().rect()
    parents = [QModelIndex()]
    while parents:
        parent = parents.pop()
        columns = 1 if isinstance(view, QListView) else model.columnCount(parent)  # QListWidget's is private
        for row in range(min(model.rowCount(parent), 500)):
            for column in range(columns):
                index = model.index(row, column, parent)
                if view.visualRect(index).intersects(viewport):
                    yield str(index.data() or "")
            if isinstance(view, QTreeWidget) and model.hasChildren(model.index(row, 0, parent)):
                parents.append(model.index(row, 0, parent))
    header = view.horizontalHeader() if isinstance(view, QTableView) else None
    if header is not None and header.isVisible():
        for section in range(model.columnCount()):
            yield str(model.headerData(section, header.orientation()) or "")


def visible_texts(window: MainWindow) -> list[str]:
    """Every text on screen: labels, buttons, fields, tabs, list/table cells, menus, the status bar."""
    texts = [window.windowTitle(), window.statusBar().currentMessage()]
    texts += [action.text() for action in window.menuBar().actions()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel):
            texts.append(_plain(widget.text()))
        elif isinstance(widget, QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        elif isinstance(widget, QLineEdit):
            # What the seller typed (shop name, order number) is theirs, in whatever language: only our
            # placeholder is checked.
            texts.append(widget.placeholderText() if not widget.text() else "")
        elif isinstance(widget, QAbstractSpinBox):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView):
            texts += list(_view_texts(widget))
    return [t for t in texts if t]


def _latin_words(text: str) -> list[str]:
    for pattern in NOT_WORDS:
        text = pattern.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if w not in LATIN_ALLOWED]


def _latin_allowed_from_catalogue() -> set[str]:
    """Latin words the Chinese catalogue itself uses (platform names, "ShopGuard"): allowed on screen."""
    words: set[str] = set()
    for entry in catalog().values():
        zh = entry.get("zh_CN", "")
        for form in zh.values() if isinstance(zh, dict) else [zh]:
            words |= set(re.findall(r"[A-Za-z][A-Za-z'-]+", re.sub(r"\{[^}]*\}", " ", form)))
    return words


def audit(window: MainWindow, lang: str, where: str) -> list[str]:
    """What a person would call a defect on the window as it is now."""
    problems: list[str] = []
    for text in visible_texts(window):
        if ISO_TIME.search(text):
            problems.append(f"{where}: raw ISO time in {text!r}")
        if BAD_PLURAL.search(text):
            problems.append(f"{where}: bad plural in {text!r}")
        if lang == "zh_CN":
            english = [w for w in _latin_words(text) if w not in CATALOGUE_LATIN]
            if english:
                problems.append(f"{where}: English {english} in {text[:80]!r}")
    result = window.check_page.result_view
    if result.isVisible():
        tree = result.findings_tree
        viewport = tree.viewport().rect()
        for item in result.finding_items():
            rect = tree.visualItemRect(item)
            if not viewport.contains(rect):
                problems.append(f"{where}: finding row cut off: {item.text(0)[:60]!r} {rect} outside {viewport}")
        banner = result.banner
        if banner.level_label.text() and banner.level_label.text() in banner.summary_label.text():
            problems.append(f"{where}: the banner repeats its title {banner.level_label.text()!r}")
    return problems


CATALOGUE_LATIN: set[str] = set()


# --- the states -----------------------------------------------------------------------------------
class Shooter:
    def __init__(self, window: MainWindow, out: Path) -> None:
        self.window = window
        self.out = out
        self.problems: list[str] = []
        self.count = 0

    def shoot(self, name: str, prepare: Callable[[], None] | None = None) -> None:
        """``name`` in every language and size; ``prepare`` puts the window in the state (after each switch)."""
        for lang in LANGS:
            self.window.state.set_language(lang)
            for size_name, size in SIZES.items():
                self.window.resize(*size)
                if prepare is not None:
                    prepare()
                settle(self.window)
                folder = self.out / lang / size_name
                folder.mkdir(parents=True, exist_ok=True)
                save_png(self.window, folder / f"{name}.png")
                self.problems += audit(self.window, lang, f"{lang}/{size_name}/{name}")
                self.count += 1
        self.window.state.set_language("en")


def select_strongest(window: MainWindow) -> None:
    items = window.check_page.result_view.finding_items()
    if items:
        window.check_page.result_view.findings_tree.setCurrentItem(items[0])


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
        save_png(window, out / "en" / "12-result-live.png")
    wait_until(lambda: window.state.runner.is_idle)


def shoot_file_dialog(window: MainWindow, shots: Shooter) -> None:
    """Qt's own file dialog (used where the platform has none): columns fit, dates in the app's format."""
    for lang in LANGS:
        window.state.set_language(lang)
        dialog = make_file_dialog(
            window, window.state.t("gui.library.add_title"), lang, str(resource_path("demo", "library"))
        )
        dialog.show()
        settle(window)
        wait_until(
            lambda d=dialog: (
                d.findChild(QTreeView, "treeView").model().rowCount(d.findChild(QTreeView, "treeView").rootIndex()) > 0
            )
        )
        settle(window)
        path = shots.out / lang / "11-qt-file-dialog.png"
        save_png(dialog, path)
        tree = dialog.findChild(QTreeView, "treeView")
        header = tree.header()
        for column in range(1, 4):
            index = tree.model().index(0, column, tree.rootIndex())
            text = str(index.data() or "")
            needed = tree.fontMetrics().horizontalAdvance(text)
            if header.sectionSize(column) < needed:
                shots.problems.append(f"{lang}/file dialog: column {column} cut: {text!r}")
            if column == 3 and ISO_TIME.search(text):
                shots.problems.append(f"{lang}/file dialog: raw ISO date {text!r}")
        dialog.close()
    window.state.set_language("en")


def run(out: Path, tmp: Path) -> list[str]:
    home = Home(tmp / "home").ensure()
    window = MainWindow(home)
    dialogs = window.state.dialogs = ScriptedDialogs(tmp)
    window.state.set_language("en")
    window.show()
    window.start()
    shots = Shooter(window, out)
    page = window.check_page
    shots.shoot("01-first-run")
    window.library_view.add_demo_shop()
    settle(window)
    form = page.start_view.order_form
    form.order_id_edit.setText("TB-2026-118842")
    form.buyer_edit.setText("lin***88")
    form.set_platform("taobao")
    shots.shoot("02-start-demo")
    complaint = resource_path("demo", "complaints", "complaint-bag-stain.jpg")
    resaved = resource_path("demo", "complaints", "complaint-bulb-resaved.jpg")
    page.check_files([complaint])
    wait_until(lambda: not page.is_checking)
    first_case = page.case.id  # type: ignore[union-attr]
    page.new_check()
    page.check_files([resaved])
    wait_until(lambda: not page.is_checking)
    second_case = page.case.id  # type: ignore[union-attr]

    def open_case(case_id: str) -> Callable[[], None]:
        def prepare() -> None:
            window.show_page(MainWindow.PAGE_CHECK)
            page.open_case(case_id)
            select_strongest(window)

        return prepare

    shots.shoot("03-result-strong", open_case(first_case))
    window.state.set_language("en")
    window.resize(*DEFAULT_SIZE)
    open_case(first_case)()
    settle(window)
    save_png(window, out / "main-result.png")  # the README's screenshot
    shots.shoot("04-result-second-complaint", open_case(second_case))
    open_case(first_case)()
    page.create_report()
    wait_until(lambda: page.result_view.report_bar.isVisible() and window.state.runner.is_idle)
    shots.shoot("05-report-created")
    dialogs.has_viewer = False
    page.create_report()
    wait_until(lambda: window.state.runner.is_idle)
    settle(window)
    shots.shoot("06-report-no-viewer")
    dialogs.has_viewer = True
    window.show_page(MainWindow.PAGE_CASES)
    shots.shoot("07-cases")
    window.show_page(MainWindow.PAGE_LIBRARY)
    settle(window)
    model = window.library_view.model
    wait_until(lambda: model.thumbnail_count >= min(12, model.rowCount()))
    shots.shoot("08-library")
    window.show_page(MainWindow.PAGE_SETTINGS)
    shots.shoot("09-settings")
    window.show_page(MainWindow.PAGE_CHECK)
    shoot_file_dialog(window, shots)
    shoot_live_check(window, out, [complaint, resaved])
    page.new_check()
    window.close()
    # A restart on the same home: the demo shop's sample complaints are still offered.
    again = MainWindow(home)
    again.state.dialogs = ScriptedDialogs(tmp)
    again.show()
    again.start()
    settle(again)
    restarted = Shooter(again, out)
    restarted.shoot("10-start-after-restart")
    if not again.check_page.start_view.demo_card.isVisible():
        restarted.problems.append("after a restart the demo complaints are not offered")
    again.close()
    print(f"{shots.count + restarted.count} screenshots in {out}")
    return shots.problems + restarted.problems


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = setup_application(["shopguard"])
    CATALOGUE_LATIN.update(_latin_allowed_from_catalogue())
    with tempfile.TemporaryDirectory() as tmp:
        problems = run(out, Path(tmp))
    app.quit()
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    # Three windows were made and closed in one process; PySide6's teardown at interpreter exit then crashed in
    # garbage collection ("none_dealloc", exit 134) after every shot was saved. Leave without that teardown.
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
