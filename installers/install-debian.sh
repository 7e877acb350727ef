#!/usr/bin/env bash
# Install ShopGuard for this user on Debian 12 / Ubuntu 22.04+ and open it.
#   bash installers/install-debian.sh            install (or update), then open the app (the terminal waits for it)
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
for png in "$here"/resources/icons/shopguard-*.png; do
  size="${png##*-}"; size="${size%.png}"
  mkdir -p "$HOME/.local/share/icons/hicolor/${size}x${size}/apps"
  cp "$png" "$HOME/.local/share/icons/hicolor/${size}x${size}/apps/shopguard.png"
done
mkdir -p "$HOME/.local/share/icons/hicolor/scalable/apps"
cp "$here/resources/icons/shopguard.svg" "$HOME/.local/share/icons/hicolor/scalable/apps/shopguard.svg"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$HOME/.local/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$HOME/.local/share/icons/hicolor" || true
version="$("$prefix/bin/shopguard" --version | cut -d' ' -f2)"
echo
echo "ShopGuard $version is installed."
echo "  Start it later from your desktop's application menu (ShopGuard), or in a terminal with:"
echo "    $prefix/bin/shopguard"
case ":$PATH:" in
  *":$HOME/.local/bin:"*) echo "    shopguard            (also works: ~/.local/bin is on your PATH)" ;;
  *) echo "  To type just 'shopguard', add ~/.local/bin to your PATH (Debian/Ubuntu do so at your next login" \
          "once the folder exists)." ;;
esac
echo "  Command-line use: shopguard --help"

if [ "$start" = 1 ]; then
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "No desktop session here, so the window is not opened now; use 'shopguard check' in a terminal." >&2
    exit 0
  fi
  echo "Opening ShopGuard now (this terminal stays busy until you close the window; --no-start skips this)."
  exec "$prefix/bin/shopguard"
fi
