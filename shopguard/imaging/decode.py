"""Read photo files safely and decode them for pixel work.

Originals are only ever opened for reading. Every expected failure (missing, empty, not an image,
truncated, decompression bomb, absurd size) raises ``ImageReadError`` with a message key naming the
reason. Pixels handed to checks are RGB with EXIF orientation applied, so every region a check
reports is in the coordinates a person sees.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from shopguard.errors import ImageReadError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest file accepted (phone RAW-ish JPEGs reach ~60 MB; anything bigger is not a buyer's photo)."""
MAX_PIXELS = 200_000_000
"""Largest decoded size accepted (200 MP phone sensors exist; a bomb claims far more)."""

FORMAT_NAMES = {
    "JPEG": "jpeg",
    "PNG": "png",
    "WEBP": "webp",
    "HEIF": "heif",
    "AVIF": "avif",
    "TIFF": "tiff",
    "BMP": "bmp",
    "GIF": "gif",
    "MPO": "jpeg",
}


@cache
def _register_plugins() -> None:
    """Teach Pillow HEIC/HEIF (pillow-heif); AVIF is native in Pillow >= 11.2."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    # Pillow's own bomb check warns at MAX_IMAGE_PIXELS and fails at twice that; we enforce our
    # own limit before decoding, so keep Pillow's as a second fence at the same size.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class SourceFile:
    """The bytes of one original file, read once, with its identity."""

    path: Path
    data: bytes = field(repr=False)
    sha256: str
    mtime: float

    @property
    def size_bytes(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ImageFacts:
    """What the header says, without decoding pixels."""

    format: str
    width: int
    height: int
    orientation: int
    mode: str
    n_frames: int


@dataclass(frozen=True)
class DecodedImage:
    """RGB pixels after EXIF orientation; ``scale`` is decoded size / full oriented size."""

    image: Image.Image = field(repr=False)
    facts: ImageFacts
    scale: float

    @property
    def width(self) -> int:
        """Full-resolution width after orientation (not the possibly reduced decode)."""
        return self.facts.width

    @property
    def height(self) -> int:
        return self.facts.height


def read_source(path: str | Path) -> SourceFile:
    """Read a file's bytes once (read-only) and hash them.

    Raises:
        ImageReadError: missing, a folder, unreadable, empty or larger than MAX_FILE_BYTES.
    """
    p = Path(path)
    try:
        stat = p.stat()
        if p.is_dir():
            raise ImageReadError("error.image.is_folder", path=str(p))
        if stat.st_size > MAX_FILE_BYTES:
            raise ImageReadError(
                "error.image.file_too_large",
                path=str(p),
                size_mb=round(stat.st_size / 1e6),
                max_mb=MAX_FILE_BYTES // 1_000_000,
            )
        with p.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise ImageReadError("error.image.not_found", path=str(p)) from exc
    except PermissionError as exc:
        raise ImageReadError("error.image.permission", path=str(p)) from exc
    except OSError as exc:
        raise ImageReadError("error.image.cannot_open", path=str(p), reason=exc.strerror or str(exc)) from exc
    if not data:
        raise ImageReadError("error.image.empty", path=str(p))
    return SourceFile(path=p, data=data, sha256=hashlib.sha256(data).hexdigest(), mtime=stat.st_mtime)


@contextmanager
def pillow_warnings() -> Iterator[None]:
    """Pillow's complaints about odd files ("Corrupt EXIF data") go to the log; bombs become errors."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield
    for item in caught:
        log.debug("Pillow: %s", item.message)


@contextmanager
def _decoding(source: SourceFile) -> Iterator[None]:
    """Pixel decoding failures become ImageReadError (bomb, truncated or corrupt)."""
    try:
        with pillow_warnings():
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageReadError("error.image.bomb", path=str(source.path)) from exc
    # WORKAROUND(pillow 13.x): the AVIF plugin (and pillow-heif) raise RuntimeError for damaged files
    # ("Decoding of color planes failed"); found by benchmarks/fuzz_inputs.py.
    except (OSError, ValueError, EOFError, SyntaxError, RuntimeError) as exc:
        key = "error.image.truncated" if "truncated" in str(exc).lower() else "error.image.corrupt"
        raise ImageReadError(key, path=str(source.path), reason=str(exc)) from exc


def _open(source: SourceFile) -> Image.Image:
    _register_plugins()
    try:
        with pillow_warnings():
            im = Image.open(io.BytesIO(source.data))
    except (UnidentifiedImageError, SyntaxError) as exc:
        raise ImageReadError("error.image.not_image", path=str(source.path)) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageReadError("error.image.bomb", path=str(source.path)) from exc
    except (OSError, ValueError, EOFError, RuntimeError) as exc:  # RuntimeError: see _decoding
        raise ImageReadError("error.image.corrupt", path=str(source.path), reason=str(exc)) from exc
    w, h = im.size
    if w <= 0 or h <= 0:
        raise ImageReadError("error.image.corrupt", path=str(source.path), reason=f"size {w}x{h}")
    if w * h > MAX_PIXELS:
        raise ImageReadError("error.image.bomb", path=str(source.path))
    return im


def _orientation(im: Image.Image) -> int:
    try:
        with pillow_warnings():
            value = im.getexif().get(0x0112, 1)
    except Exception:
        log.debug("unreadable EXIF orientation", exc_info=True)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _facts(im: Image.Image, orientation: int) -> ImageFacts:
    w, h = im.size
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    fmt = FORMAT_NAMES.get(im.format or "", (im.format or "unknown").lower())
    return ImageFacts(
        format=fmt, width=w, height=h, orientation=orientation, mode=im.mode, n_frames=int(getattr(im, "n_frames", 1))
    )


def probe(source: SourceFile) -> ImageFacts:
    """Read the header only: format, oriented size, mode.

    Raises:
        ImageReadError: not an image, corrupt header or a decompression bomb.
    """
    im = _open(source)
    return _facts(im, _orientation(im))


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bit before RGB (Pillow's convert clips instead).
        return im.point(lambda v: v / 256).convert("L").convert("RGB")
    return im.convert("RGB")


def decode(source: SourceFile, max_side: int | None = None, draft_only: bool = False) -> DecodedImage:
    """Decode to oriented RGB, optionally reduced so the longer side is about ``max_side``.

    JPEGs are decoded in Pillow's draft mode (DCT scaling), so a 12 MP frame is never fully
    decoded when only a reduced image is needed. GIFs and other animations give their first frame.
    With ``draft_only`` a JPEG keeps its draft size (long side from ``max_side`` up to twice it) for
    callers that resample it themselves: the final LANCZOS pass costs about 9 ms on a 12 MP draft.

    Raises:
        ImageReadError: not an image, truncated or corrupt data, or a decompression bomb.
    """
    im = _open(source)
    orientation = _orientation(im)
    facts = _facts(im, orientation)
    with _decoding(source):
        if max_side and im.format in ("JPEG", "MPO"):
            im.draft("RGB", (max_side, max_side))
        im.seek(0)
        im.load()
        rgb = _to_rgb(im)
        rgb = _apply_orientation(rgb, orientation)
        drafted = draft_only and im.format in ("JPEG", "MPO")
        if max_side and max(rgb.size) > max_side and not drafted:
            rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    scale = rgb.width / facts.width if facts.width else 1.0
    return DecodedImage(image=rgb, facts=facts, scale=scale)


def decodes_in_full(facts: ImageFacts, max_side: int | None) -> bool:
    """Whether ``decode(source, max_side)`` decodes every pixel of the file before reducing (so the reduced image
    can be made from the full one, see ``reduce_decoded``): no ``max_side``, a format without a draft mode, or a
    JPEG whose draft keeps scale 1 (libjpeg scales by 1/2, 1/4 or 1/8 only when both sides are at least twice
    ``max_side``; the same rule as Pillow's ``JpegImageFile.draft``)."""
    if not max_side or facts.format.lower() not in ("jpeg", "mpo"):  # names as FORMAT_NAMES gives them
        return True
    return min(facts.width // max_side, facts.height // max_side) < 2


def reduce_decoded(full: DecodedImage, max_side: int | None) -> DecodedImage:
    """What ``decode(source, max_side)`` gives, made from ``full = decode(source)`` without decoding the file again.

    The same pixels only when ``decodes_in_full(full.facts, max_side)``: then ``decode`` ran the same full
    decode and the same LANCZOS ``thumbnail`` (tests/imaging/test_reduce_decoded.py compares them on real files).
    """
    if not max_side or max(full.image.size) <= max_side:
        return full
    rgb = full.image.copy()
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    scale = rgb.width / full.facts.width if full.facts.width else 1.0
    return DecodedImage(image=rgb, facts=full.facts, scale=scale)


_TRANSPOSE = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}


def _apply_orientation(im: Image.Image, orientation: int) -> Image.Image:
    """EXIF orientation as transposes (the same mapping as ``ImageOps.exif_transpose``)."""
    for op in _TRANSPOSE.get(orientation, ()):
        im = im.transpose(op)
    return im


def apply_orientation(im: Image.Image, orientation: int) -> Image.Image:
    """Apply an EXIF orientation (1-8) to already-decoded pixels, e.g. an EXIF thumbnail that
    carries no orientation tag of its own but follows the main image's."""
    return _apply_orientation(im, orientation)


def decode_stored(source: SourceFile) -> Image.Image:
    """Decode the first frame as stored: its own mode (alpha kept, no RGB conversion) and its own
    pixel order (EXIF orientation not applied), for readers of bit-level data such as
    ``stealth_text``. Same size limits and errors as ``decode``.

    Raises:
        ImageReadError: not an image, truncated or corrupt data, or a decompression bomb.
    """
    im = _open(source)
    with _decoding(source):
        im.seek(0)
        im.load()
    return im


@dataclass(frozen=True)
class JpegLuma:
    """A JPEG's luma (Y) plane as decoded by libjpeg, in the file's *stored* orientation.

    Read straight from the decoder's YCbCr output (no RGB round trip, which would clip saturated
    colours), so each 8×8 pixel block starting at (0, 0) is exactly one block of the file's last
    save; ``orientation`` and ``stored_size`` let a caller map results to oriented coordinates.
    """

    luma: npt.NDArray[np.uint8] = field(repr=False)
    stored_size: tuple[int, int]
    orientation: int
    ycbcr: npt.NDArray[np.uint8] | None = field(default=None, repr=False)
    """All three decoded planes (H, W, 3; Y, Cb, Cr, chroma upsampled) of a colour JPEG, else None."""


def decode_jpeg_luma(source: SourceFile) -> JpegLuma | None:
    """The luma plane of a JPEG (see ``JpegLuma``); None when the file is not a YCbCr or grey JPEG.

    Raises:
        ImageReadError: not an image, truncated or corrupt data, or a decompression bomb.
    """
    im = _open(source)
    if im.format not in ("JPEG", "MPO") or im.mode not in ("RGB", "L"):
        return None
    orientation = _orientation(im)
    stored_size = im.size
    with _decoding(source):
        if im.mode == "RGB":
            im.draft("YCbCr", im.size)  # full size; only asks libjpeg for YCbCr output
        im.load()
        planes = _pixel_array(im)
    del im  # Pillow keeps 3 channels in 4 bytes a pixel: free it before the luma copy (800 MB at 200 MP)
    if planes.shape[:2] != (stored_size[1], stored_size[0]):
        log.debug("JPEG luma decoded at %s, not %s", planes.shape, stored_size)
        return None
    if planes.ndim == 3:
        luma = np.ascontiguousarray(planes[..., 0])
        return JpegLuma(luma=luma, stored_size=stored_size, orientation=orientation, ycbcr=planes)
    return JpegLuma(luma=planes, stored_size=stored_size, orientation=orientation)


_COPY_BAND_ROWS = 1024


def _pixel_array(im: Image.Image) -> npt.NDArray[np.uint8]:
    """``np.asarray(im)`` copied band by band, so a 200 MP image is never held twice over in full."""
    first = np.asarray(im.crop((0, 0, im.width, min(im.height, _COPY_BAND_ROWS))), dtype=np.uint8)
    out = np.empty((im.height, *first.shape[1:]), dtype=np.uint8)
    out[: first.shape[0]] = first
    for top in range(_COPY_BAND_ROWS, im.height, _COPY_BAND_ROWS):
        bottom = min(im.height, top + _COPY_BAND_ROWS)
        out[top:bottom] = np.asarray(im.crop((0, top, im.width, bottom)), dtype=np.uint8)
    return out
