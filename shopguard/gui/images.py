"""Turn photos into QImages for display, using the engine's decoder (the only code that decodes files).

These functions run inside jobs: QImage (unlike QPixmap) may be created on a worker thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from shopguard.imaging import decode, read_source

VIEW_MAX_SIDE_PX = 2048
THUMB_MAX_SIDE_PX = 160


def load_qimage(path: str | Path, max_side: int = VIEW_MAX_SIDE_PX) -> QImage:
    """The photo at ``path``, EXIF orientation applied, reduced to ``max_side``.

    Raises:
        ImageReadError: when the file cannot be read as an image.
    """
    decoded = decode(read_source(Path(path)), max_side=max_side)
    image = decoded.image.convert("RGB")
    data = image.tobytes()
    qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
    return qimage.copy()  # detach from ``data``, which Python frees after return


def load_qimages(paths: tuple[str, ...], max_side: int = VIEW_MAX_SIDE_PX) -> dict[str, QImage]:
    """Several images; files that cannot be read are left out (the finding explains why)."""
    from shopguard.errors import ImageReadError

    images: dict[str, QImage] = {}
    for path in paths:
        try:
            images[path] = load_qimage(path, max_side)
        except ImageReadError:
            continue
    return images
