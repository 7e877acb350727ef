"""Photos named when ShopGuard starts ("Open with ShopGuard", ``shopguard-gui A.jpg B.png``) are checked like a
drop, and a later launch hands its photos to the window already open instead of opening a second one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot

from shopguard.cases.store import CaseStore
from shopguard.gui.main_window import MainWindow
from shopguard.gui.photo_inbox import PhotoInbox, checkable_photos
from shopguard.gui.single_instance import PhotoReceiver, hand_over, server_name

REPO = Path(__file__).resolve().parents[2]
CHECK_TIMEOUT_MS = 60_000


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(REPO),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }


def _launch(tmp_path: Path, home: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start ``shopguard --home HOME ARGS`` as a file manager would; its stderr goes to a file in tmp_path."""
    index = len(list(tmp_path.glob("launch-*.err")))
    with (tmp_path / f"launch-{index}.err").open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "shopguard", "--home", str(home), *args],
            env=_env(tmp_path),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _wait(qtbot: QtBot, procs: list[subprocess.Popen[bytes]]) -> list[int]:
    """Let the window's event loop run until every launch exited (a launch still running is killed)."""
    try:
        qtbot.waitUntil(lambda: all(p.poll() is not None for p in procs), timeout=CHECK_TIMEOUT_MS)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return [proc.returncode for proc in procs]


def _complaints(demo: Path, tmp_path: Path) -> list[Path]:
    """The two demo complaints, the second as a PNG (Open with passes any image type)."""
    bag = demo / "complaints" / "complaint-bag-stain.jpg"
    bulb = tmp_path / "complaint-bulb.png"
    with Image.open(demo / "complaints" / "complaint-bulb-resaved.jpg") as image:
        image.save(bulb)
    return [bag, bulb]


def _listen(window: MainWindow, quiet_ms: int) -> tuple[PhotoReceiver, PhotoInbox]:
    """The running app's side, as ``gui.app.main`` wires it."""
    receiver = PhotoReceiver(server_name(window.state.home.root), window)
    assert receiver.listen()
    inbox = PhotoInbox(window, quiet_ms=quiet_ms)
    receiver.photos_received.connect(inbox.add)
    return receiver, inbox


def test_photos_on_the_command_line_are_checked(tmp_path: Path, demo: Path, demo_library_db: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(demo_library_db, home / "library.sqlite3")
    photos = _complaints(demo, tmp_path)
    shot = tmp_path / "window.png"
    proc = subprocess.run(
        [sys.executable, "-m", "shopguard", "--home", str(home), *map(str, photos), "--quit-when-checked", str(shot)],
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    cases = CaseStore(home / "cases").list()
    assert len(cases) == 1, "the photos of one launch are one case"
    assert [p.name for p in cases[0].photos] == ["complaint-bag-stain.jpg", "complaint-bulb.png"]
    assert f"case {cases[0].id}" in proc.stdout
    with Image.open(shot) as image:
        assert image.width >= 600, "the window was shown with the result"
    assert "library-derived" in {f.category.value for p in cases[0].photos for f in p.findings}


def test_a_second_launch_hands_its_photos_to_the_open_window(
    qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    _listen(window, quiet_ms=200)
    photos = _complaints(demo, tmp_path)
    page = window.check_page
    with qtbot.waitSignal(page.case_checked, timeout=CHECK_TIMEOUT_MS) as checked:
        returncodes = _wait(qtbot, [_launch(tmp_path, window.state.home.root, *map(str, photos))])
    assert returncodes == [0], (tmp_path / "launch-0.err").read_text("utf-8")
    case = checked.args[0]
    assert [p.name for p in case.photos] == ["complaint-bag-stain.jpg", "complaint-bulb.png"]
    assert page.currentWidget() is page.result_view
    log_text = (window.state.home.log_dir / "shopguard.log").read_text("utf-8")
    assert "handed 2 photo(s) to the ShopGuard window already open" in log_text
    assert "started with home" not in log_text, "the second launch opened no window of its own"


def test_open_with_on_three_photos_gives_one_case(qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    """Windows Explorer starts one process per file: three launches at once, one photo each."""
    # A quiet time longer than the test, so a busy machine's slow starts cannot split the batch; the test then
    # ends the gathering itself once every launch has handed its photo over and exited.
    _, inbox = _listen(window, quiet_ms=600_000)
    bag, bulb = _complaints(demo, tmp_path)
    third = tmp_path / "complaint-bag-copy.jpg"
    shutil.copyfile(bag, third)
    procs = [_launch(tmp_path, window.state.home.root, str(photo)) for photo in (bag, bulb, third)]
    assert _wait(qtbot, procs) == [0, 0, 0]
    assert sorted(p.name for p in inbox.pending) == sorted([bag.name, bulb.name, third.name])
    assert not window.check_page.is_checking, "nothing is checked while photos are still being gathered"
    with qtbot.waitSignal(window.check_page.case_checked, timeout=CHECK_TIMEOUT_MS) as checked:
        inbox.check_now()
    assert sorted(p.name for p in checked.args[0].photos) == sorted([bag.name, bulb.name, third.name])
    assert len(CaseStore(window.state.home.cases_dir).list()) == 1


@pytest.mark.skipif(sys.platform.startswith("win"), reason="Windows named pipes leave no file behind")
def test_a_socket_left_by_a_killed_app_is_taken_over(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    name = server_name(window.state.home.root)
    assert name != server_name(tmp_path / "another-home"), "two data homes never share a window"
    probe = QLocalServer()
    assert probe.listen(name)
    path = probe.fullServerName()
    probe.close()
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)  # a socket file nobody listens on, as a killed app leaves behind
    stale.close()
    assert Path(path).exists()
    assert not hand_over(name, [])
    receiver = PhotoReceiver(name, window)
    assert not receiver.listen(), "a plain listen refuses the leftover file"
    assert receiver.listen(remove_stale=True)
    received: list[list[Path]] = []
    receiver.photos_received.connect(received.append)
    assert _wait(qtbot, [_launch(tmp_path, window.state.home.root)]) == [0]
    assert received == [[]], "a launch without photos only brings the open window up"


def test_the_window_and_installers_share_one_icon_in_every_size(window: MainWindow) -> None:
    from PySide6.QtWidgets import QApplication

    from shopguard.paths import resource_path

    sizes = {s.width() for s in QApplication.windowIcon().availableSizes()}
    assert {16, 32, 48, 256, 512} <= sizes, "the window (title bar, task bar, Alt+Tab) gets every size"
    icons = resource_path("icons")
    with Image.open(icons / "shopguard.ico") as ico:
        assert {(16, 16), (32, 32), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(icons / "shopguard.icns") as icns:
        assert icns.size == (1024, 1024)
    # The PNGs are rendered from the SVG (installers/make-icons.py), so the 48 px one looks like the vector.
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    drawn = QImage(48, 48, QImage.Format.Format_ARGB32)
    drawn.fill(0)
    painter = QPainter(drawn)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(icons / "shopguard.svg")).render(painter)
    painter.end()
    committed = QImage(str(icons / "shopguard-48.png")).convertToFormat(QImage.Format.Format_ARGB32)
    differing = sum(
        1
        for y in range(48)
        for x in range(48)
        if abs(drawn.pixelColor(x, y).blue() - committed.pixelColor(x, y).blue()) > 8
    )
    assert differing < 48, "shopguard-48.png is out of date: run installers/make-icons.py"


def test_open_with_takes_complaint_videos_too(tmp_path: Path) -> None:
    """ "Open with ShopGuard" on a buyer's clip checks it like a dropped one; other files are left out."""
    clip, note, photo = tmp_path / "buyer clip.MP4", tmp_path / "notes.txt", tmp_path / "photo.jpg"
    for path in (clip, note, photo):
        path.write_bytes(b"x")
    assert checkable_photos([clip, note, photo, clip]) == [clip, photo]
