#!/usr/bin/env bash
# Install ShopGuard with its test extras into ./.venv and run every check CI runs:
# ruff (lint + format), mypy --strict, import rules, and the pytest suite (Qt offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
bash installers/system-packages.sh test
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test]"
bash scripts/install-ocr.sh .venv/bin/python
export QT_QPA_PLATFORM=offscreen
echo "--- ruff";          .venv/bin/ruff check .
echo "--- ruff format";   .venv/bin/ruff format --check .
echo "--- mypy";          .venv/bin/mypy
echo "--- import rules";  .venv/bin/lint-imports
echo "--- pytest";        .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
