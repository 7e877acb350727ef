"""The app never loads SciPy or PyWavelets, so the installers leave them out (installers/shopguard.spec)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import shopguard
from tests.conftest import DEMO, REPO

CAMERA = "exif-camera/gps__DSCN0010.jpg"  # carries a 160x120 EXIF thumbnail: the thumbnail comparison runs


def test_no_check_nor_the_app_imports_scipy(testdata: Path, tmp_path: Path) -> None:
    names = [
        m.name for m in pkgutil.walk_packages(shopguard.__path__, "shopguard.") if m.name not in ("shopguard.__main__",)
    ]
    assert "shopguard.gui.app" in names and "shopguard.checks.thumbnail_compare" in names
    code = (
        "import importlib, sys\n"
        + "".join(f"importlib.import_module({n!r})\n" for n in names)
        + "from shopguard.cli.main import main\n"
        f"home = {str(tmp_path / 'home')!r}\n"
        f"assert main(['--home', home, 'library', 'add', {str(DEMO / 'library')!r}]) == 0\n"
        f"for photo in ({str(DEMO / 'complaints' / 'complaint-bag-stain.jpg')!r}, {str(testdata / CAMERA)!r}):\n"
        "    main(['--home', home, 'check', photo, '--json'])\n"
        "assert 'shopguard.checks.thumbnail_compare' in sys.modules\n"
        "import shopguard.checks.thumbnail_compare as tc\n"
        "from PIL import Image\n"
        f"photo = Image.open({str(testdata / CAMERA)!r}).convert('RGB')\n"
        "assert tc.registered(photo.resize((160, 120)), photo) is not None\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'pywt'))\n"
        "print('LOADED', bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "LOADED []" in result.stdout
