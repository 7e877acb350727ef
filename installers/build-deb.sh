#!/usr/bin/env bash
# Wrap the one-folder bundle (dist/shopguard, from build-bundle.sh) in a Debian package with dpkg-deb.
#   bash installers/build-deb.sh [--revision N] [--fast] [BUNDLE_DIR]   -> dist/shopguard_<version>-<N>_<arch>.deb
#   (--fast: gzip -1, for the throw-away package of the upgrade test)
# Layout: /opt/shopguard (the bundle), /usr/bin/shopguard and /usr/bin/shopguard-gui (relative links),
# /usr/share/applications/shopguard.desktop ("Open with", image MIME types, %F), hicolor icons, the licence.
# No file of the package is ever written at run time: the sellers' data lives in each user's data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
revision=1
level=6
if [ "${1:-}" = "--revision" ]; then revision="$2"; shift 2; fi
if [ "${1:-}" = "--fast" ]; then level=1; shift; fi
bundle="${1:-dist/shopguard}"
[ -x "$bundle/shopguard" ] || { echo "no bundle at $bundle: run bash installers/build-bundle.sh first" >&2; exit 1; }
version="$("$bundle/shopguard" --version | cut -d' ' -f2)"
arch="$(dpkg --print-architecture)"
deb="dist/shopguard_${version}-${revision}_${arch}.deb"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" "$stage/usr/share/doc/shopguard" "$stage/DEBIAN"
cp -a "$bundle" "$stage/opt/shopguard"
ln -s ../../opt/shopguard/shopguard "$stage/usr/bin/shopguard"
ln -s ../../opt/shopguard/shopguard "$stage/usr/bin/shopguard-gui"  # the executable opens the window by this name
sed "s|@BIN@|shopguard-gui|" installers/shopguard.desktop > "$stage/usr/share/applications/shopguard.desktop"
for png in resources/icons/shopguard-*.png; do
  size="${png##*-}"; size="${size%.png}"
  install -D -m 644 "$png" "$stage/usr/share/icons/hicolor/${size}x${size}/apps/shopguard.png"
done
install -D -m 644 resources/icons/shopguard.svg "$stage/usr/share/icons/hicolor/scalable/apps/shopguard.svg"
cp LICENSE "$stage/usr/share/doc/shopguard/copyright"
install -m 755 installers/linux/postinst installers/linux/postrm "$stage/DEBIAN/"
# Files dpkg would otherwise see as changed by the user: none (no conffiles; /opt is the package's own).
find "$stage" -name __pycache__ -prune -exec rm -rf {} +
chmod -R u+rwX,go+rX,go-w "$stage"

size_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: shopguard
Version: ${version}-${revision}
Architecture: ${arch}
Maintainer: ShopGuard developers <noreply@shopguard.invalid>
Installed-Size: ${size_kb}
Depends: libc6 (>= 2.34), libgl1, libegl1, libfontconfig1, libxkbcommon0, libdbus-1-3, libcups2 | libcups2t64
Recommends: xdg-utils
Section: graphics
Priority: optional
Description: prove a buyer's refund photo is fake, on your own computer
 ShopGuard checks a buyer's complaint photo against the shop's own product photos
 (made from your listing photo, painted-over regions), AI labels (GB 45438-2025,
 C2PA, IPTC), editing traces and reused photos, and writes a PDF evidence report
 in Chinese and English. Everything runs offline.
CONTROL
mkdir -p dist
# gzip: every dpkg reads it, and it packs ~250 MB in well under a minute on 2 cores (xz -6 takes minutes).
dpkg-deb --root-owner-group -Zgzip "-z$level" --build "$stage" "$deb" >/dev/null
echo "built $deb ($(du -h "$deb" | cut -f1), installed $((size_kb / 1024)) MB)"
