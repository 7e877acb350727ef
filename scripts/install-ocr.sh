#!/usr/bin/env bash
# Install the OCR engine (rapidocr-onnxruntime, whose wheel ships the PP-OCRv4 models) into a Python
# environment WITHOUT its declared dependencies: it asks for opencv-python, which would overwrite the
# `cv2` package of the opencv-python-headless ShopGuard pins (both wheels install `cv2/`) and add Qt
# plugins that clash with PySide6. Its real needs (onnxruntime, pyclipper, shapely, PyYAML, numpy,
# Pillow, opencv-python-headless) are ShopGuard dependencies in pyproject.toml.
#   scripts/install-ocr.sh [python]      default: .venv/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}
"$python" -m pip install -q --disable-pip-version-check --no-deps -c constraints.txt rapidocr-onnxruntime
