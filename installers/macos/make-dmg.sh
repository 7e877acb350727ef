#!/usr/bin/env bash
# Pack dist/ShopGuard.app (made by PyInstaller from installers/shopguard.spec on macOS) into a disk image the
# seller opens and drags into Applications.
#   bash installers/macos/make-dmg.sh       -> dist/ShopGuard-<version>-macos-<arch>.dmg
# Runs on macOS only (hdiutil); built by .github/workflows/installers.yml on macos-latest. Not signed or
# notarised: the first start needs right-click > Open (installers/README.md says so).
set -euo pipefail
cd "$(dirname "$0")/../.."
app="dist/ShopGuard.app"
[ -d "$app" ] || { echo "no $app: build the bundle with pyinstaller installers/shopguard.spec first" >&2; exit 1; }
version="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$app/Contents/Info.plist")"
/usr/libexec/PlistBuddy -c 'Print :CFBundleDocumentTypes:0:LSItemContentTypes' "$app/Contents/Info.plist" \
  | grep -q public.jpeg || { echo "Info.plist lacks the photo document types" >&2; exit 1; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
dmg="dist/ShopGuard-${version}-macos-$(uname -m).dmg"
rm -f "$dmg"
hdiutil create -volname "ShopGuard ${version}" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
hdiutil verify "$dmg"
echo "built $dmg"
