#!/usr/bin/env bash
# Smoke-test a built or installed ShopGuard executable: --version, library add + check --json on the demo shop
# (finds the library match), a report with page images, and the window started on a photo (offscreen), which
# checks it, saves a picture of itself and quits.
#   bash installers/smoke-test.sh PATH/TO/shopguard
set -euo pipefail
exe="$1"
here="$(cd "$(dirname "$0")/.." && pwd)"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }
"$exe" --version
"$exe" --home "$home" library add "$here/resources/demo/library" >/dev/null
"$exe" --home "$home" check "$here/resources/demo/complaints/complaint-bag-stain.jpg" --json --report "$home/r.pdf" \
  > "$home/check.json"
grep -q '"library-derived"' "$home/check.json" || fail "check --json did not find the library match"
[ "$(head -c 5 "$home/r.pdf")" = "%PDF-" ] || fail "no PDF report"
"$exe" --home "$home" report "$(sed -n 's/.*"case_id": "\([^"]*\)".*/\1/p' "$home/check.json" | head -1)" \
  -o "$home/r2.pdf" --images "$home/pages" >/dev/null
compgen -G "$home/pages/*.png" >/dev/null || fail "no report page images"
# The window on a photo given on the command line ("Open with ShopGuard"): it must check it and show the result.
limit=()
command -v timeout >/dev/null && limit=(timeout 120)  # macOS has no timeout(1); the CI job has its own limit
QT_QPA_PLATFORM=offscreen "${limit[@]}" "$exe" --home "$home" \
  "$here/resources/demo/complaints/complaint-bulb-resaved.jpg" --quit-when-checked "$home/window.png" \
  > "$home/gui.txt" || fail "the window did not check the photo and quit (exit $?)"
grep -q "checked: complaint-bulb-resaved.jpg;" "$home/gui.txt" || fail "window output: $(cat "$home/gui.txt")"
[ "$(head -c 4 "$home/window.png" | tail -c 3)" = "PNG" ] || fail "no picture of the window"
echo "smoke test passed: $exe"
