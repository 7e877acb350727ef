#!/usr/bin/env bash
# Build the one-folder Linux bundle with PyInstaller, smoke-test it, then pack dist/shopguard-<version>-linux.tar.gz.
# Needs: bash scripts/run-tests.sh once (for .venv), binutils (objdump).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v objdump >/dev/null || { sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo; $sudo apt-get install -y -qq binutils; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -c constraints.txt -e ".[build]"
bash scripts/install-ocr.sh .venv/bin/python
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build installers/shopguard.spec
bash installers/smoke-test.sh dist/shopguard/shopguard
version=$(dist/shopguard/shopguard --version | cut -d' ' -f2)
tar -C dist -czf "dist/shopguard-$version-linux-$(uname -m).tar.gz" shopguard
echo "built dist/shopguard-$version-linux-$(uname -m).tar.gz"
