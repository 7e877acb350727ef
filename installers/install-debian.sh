#!/usr/bin/env bash
# Install ShopGuard for this user on Debian 12 / Ubuntu 22.04+ and open it.
#   bash installers/install-debian.sh            install (or update) and start the app
#   bash installers/install-debian.sh --no-start install only
# Installs into ~/.local/share/shopguard-app (a private Python environment), adds `shopguard` to ~/.local/bin
# and a menu entry. Nothing is sent anywhere; ShopGuard works offline once installed.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${SHOPGUARD_PREFIX:-$HOME/.local/share/shopguard-app}"
start=1
[ "${1:-}" = "--no-start" ] && start=0

bash "$here/installers/system-packages.sh" runtime
python3 -m venv "$prefix"
# setuptools reuses ./build between runs and would ship files deleted since the last install: start clean.
rm -rf "$here/build"
"$prefix/bin/python" -m pip install -q --disable-pip-version-check -c "$here/constraints.txt" "$here"
bash "$here/scripts/install-ocr.sh" "$prefix/bin/python"

mkdir -p "$HOME/.local/bin" "$HOME/.local/share/applications"
ln -sf "$prefix/bin/shopguard" "$HOME/.local/bin/shopguard"
sed "s|@BIN@|$prefix/bin/shopguard-gui|" "$here/installers/shopguard.desktop" \
  > "$HOME/.local/share/applications/shopguard.desktop"
echo "ShopGuard $("$prefix/bin/shopguard" --version | cut -d' ' -f2) installed: run 'shopguard' or open it from the menu."

if [ "$start" = 1 ]; then
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "No screen found (DISPLAY is not set); start ShopGuard later with: shopguard" >&2
    exit 0
  fi
  exec "$prefix/bin/shopguard"
fi
