"""Render the app icon (resources/icons/shopguard.svg, the one source) to every size the systems want.

    .venv/bin/python installers/make-icons.py

Writes resources/icons/shopguard-<N>.png (N = 16 ... 512: window icon, Linux hicolor theme), shopguard.ico
(Windows: exe, shortcuts, "Open with") and shopguard.icns (macOS .app). The files are committed, so builds
on the Windows and macOS runners need no SVG renderer; run this again after editing the SVG and commit both.
Each size is rendered from the vector, not scaled down from 512 px, so small sizes stay sharp.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico holds
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    """The SVG drawn at ``size`` x ``size`` pixels, antialiased, on transparency."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGBA")


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "shopguard.svg"))
    if not renderer.isValid():
        sys.stderr.write("make-icons: resources/icons/shopguard.svg is not a valid SVG\n")
        return 1
    images = {size: render(renderer, size) for size in sorted(set(PNG_SIZES) | set(ICNS_SIZES))}
    for size in PNG_SIZES:
        images[size].save(ICONS / f"shopguard-{size}.png", optimize=True)
    largest = images[max(ICO_SIZES)]
    largest.save(
        ICONS / "shopguard.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    images[512].save(ICONS / "shopguard.icns", append_images=[images[s] for s in ICNS_SIZES if s != 512])
    print(f"wrote {len(PNG_SIZES)} PNGs, shopguard.ico and shopguard.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
