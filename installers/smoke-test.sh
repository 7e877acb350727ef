#!/usr/bin/env bash
# Smoke-test a built ShopGuard executable: --version, one check --json on the demo shop, an offscreen GUI start.
#   bash installers/smoke-test.sh PATH/TO/shopguard
set -euo pipefail
exe="$1"
here="$(cd "$(dirname "$0")/.." && pwd)"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
"$exe" --version
"$exe" --home "$home" library add "$here/resources/demo/library" >/dev/null
"$exe" --home "$home" check "$here/resources/demo/complaints/complaint-bag-stain.jpg" --json --report "$home/r.pdf" \
  > "$home/check.json"
grep -q '"library-derived"' "$home/check.json"
test -s "$home/r.pdf"
"$exe" --home "$home" report "$(sed -n 's/.*"case_id": "\([^"]*\)".*/\1/p' "$home/check.json" | head -1)" \
  -o "$home/r2.pdf" --images "$home/pages" >/dev/null
ls "$home/pages" | grep -q png
QT_QPA_PLATFORM=offscreen SHOPGUARD_QUIT_AFTER_MS=1500 timeout 60 "$exe" --home "$home"
echo "smoke test passed: $exe"
