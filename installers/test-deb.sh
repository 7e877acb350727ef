#!/usr/bin/env bash
# Install the .deb into a throw-away root with the real dpkg (its own package database there), run the smoke
# test on the installed copy, upgrade it over a seller's data, and remove it again.
#   bash installers/test-deb.sh dist/shopguard_<v>-1_<arch>.deb dist/shopguard_<v>-2_<arch>.deb
# The root is a plain folder: maintainer scripts run without chroot and honour $DPKG_ROOT (dpkg sets it), so
# nothing on this computer changes. Dependencies (libgl1 ...) are this computer's; --force-depends lets the
# empty package database skip them.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
v1="$(realpath "$1")"
v2="$(realpath "$2")"
root="$(mktemp -d)"
user="$(mktemp -d)"
trap 'rm -rf "$root" "$user"' EXIT
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status"
# dpkg's output (including its warnings about the dependencies skipped on purpose) is shown only on failure.
dpkg_root() {
  dpkg --root="$root" --force-script-chrootless --force-depends --force-not-root --log=/dev/null "$@" \
    > "$user/dpkg.log" 2>&1 || { cat "$user/dpkg.log" >&2; return 1; }
}
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }
json_count() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["count"])' "$1"; }

echo "--- install $(basename "$v1")"
dpkg_root -i "$v1"
exe="$root/usr/bin/shopguard"
[ -x "$exe" ] && [ -x "$root/usr/bin/shopguard-gui" ] || fail "/usr/bin links missing"
[ "$(readlink "$exe")" = ../../opt/shopguard/shopguard ] || fail "/usr/bin/shopguard does not point into /opt"
grep -q '^MimeType=image/jpeg;' "$root/usr/share/applications/shopguard.desktop" || fail "desktop entry MIME types"
grep -q '^Exec=shopguard-gui %F' "$root/usr/share/applications/shopguard.desktop" || fail "desktop entry Exec"
[ -s "$root/usr/share/icons/hicolor/256x256/apps/shopguard.png" ] || fail "hicolor icon"
before="$(cd "$root/opt/shopguard" && find . | sort | sha256sum)"

echo "--- smoke test of the installed copy"
bash "$here/installers/smoke-test.sh" "$exe"
after="$(cd "$root/opt/shopguard" && find . | sort | sha256sum)"
[ "$before" = "$after" ] || fail "running the app wrote into /opt/shopguard"

echo "--- a seller's data survives an upgrade"
export HOME="$user" XDG_DATA_HOME="$user/.local/share" XDG_CONFIG_HOME="$user/.config"
unset SHOPGUARD_HOME
"$exe" library add "$here/resources/demo/library" >/dev/null
"$exe" check "$here/resources/demo/complaints/complaint-bag-stain.jpg" --json > "$user/check.json"
case_id="$(sed -n 's/.*"case_id": "\([^"]*\)".*/\1/p' "$user/check.json" | head -1)"
[ -n "$case_id" ] || fail "no case id in check --json"
"$exe" library list --json > "$user/library.json"
photos_v1="$(json_count "$user/library.json")"
[ -d "$user/.local/share/shopguard/cases" ] || fail "data is not in the per-user data folder"
dpkg_root -i "$v2"
installed="$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' shopguard)"
[ "${installed##*-}" = 2 ] || fail "revision 2 not installed (found $installed)"
"$exe" cases list --json > "$user/cases.json"
grep -q "\"$case_id\"" "$user/cases.json" || fail "case $case_id lost in the upgrade"
"$exe" library list --json > "$user/library.json"
photos_v2="$(json_count "$user/library.json")"
[ "$photos_v1" -gt 0 ] && [ "$photos_v1" = "$photos_v2" ] || fail "library had $photos_v1 photos, now $photos_v2"
"$exe" cases show "$case_id" --json > "$user/case.json"
grep -q '"library-derived"' "$user/case.json" || fail "the case's stored results changed"
echo "case $case_id and $photos_v2 library photos kept across $(basename "$v1") -> $(basename "$v2")"

echo "--- remove"
dpkg_root -r shopguard
left="$(cd "$root" && find opt usr -mindepth 1 \( -path '*shopguard*' \) 2>/dev/null || true)"
[ -z "$left" ] || fail "left behind after removal: $left"
[ -s "$user/.local/share/shopguard/library.sqlite3" ] && [ -n "$(ls "$user/.local/share/shopguard/cases")" ] \
  || fail "removal touched the seller's data"
echo "test-deb: passed (install, smoke test, upgrade keeps data, clean removal)"
