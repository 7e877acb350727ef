#!/usr/bin/env bash
# Install the OCR models: the rapidocr-onnxruntime wheel ships the PP-OCRv4 models, which
# shopguard/imaging/ocr.py runs on cv2.dnn without importing RapidOCR's Python code. Installed WITHOUT
# its declared dependencies: it asks for opencv-python, which would overwrite the `cv2` package of the
# opencv-python-headless ShopGuard pins (both wheels install `cv2/`) and add Qt plugins that clash with
# PySide6, and for onnxruntime, pyclipper, shapely and PyYAML, which ShopGuard no longer needs.
#   scripts/install-ocr.sh [python]      default: .venv/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}
"$python" -m pip install -q --disable-pip-version-check --no-deps -c constraints.txt rapidocr-onnxruntime
