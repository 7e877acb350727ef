#!/usr/bin/env bash
# Smoke-test a built or installed ShopGuard executable: --version, library add + check --json on the demo shop
# (finds the library match), a complaint video (decoded by the bundled FFmpeg, its frames matched to the library)
# and a photo with a visible AI mark (read by the bundled OCR models) checked, a report with page images, and the
# window started on a photo (offscreen), which checks it, saves a picture of itself and quits.
#   bash installers/smoke-test.sh PATH/TO/shopguard
# The video and the marked photo are made here from the demo shop by installers/make-smoke-media.py with the build
# environment's Python (SMOKE_PYTHON, else the repository's .venv, else python3/python): they need PyAV to encode.
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
# A complaint video and a photo with Doubao's visible mark, checked as one case.
py="${SMOKE_PYTHON:-}"
if [ -z "$py" ]; then
  for candidate in "$here/.venv/bin/python" "$here/.venv/Scripts/python.exe" python3 python; do
    if command -v "$candidate" >/dev/null && "$candidate" -c "import av, PIL" 2>/dev/null; then py="$candidate"; break; fi
  done
fi
[ -n "$py" ] || fail "no Python with PyAV and Pillow to make the test video (set SMOKE_PYTHON)"
"$py" "$here/installers/make-smoke-media.py" "$home/media"
"$exe" --home "$home" check "$home/media/complaint-bag-stain.mp4" "$home/media/complaint-bulb-marked.jpg" --json \
  > "$home/media.json" || fail "checking the video and the marked photo (exit $?)"
"$py" - "$home/media.json" <<'PY' || fail "video / visible mark: $(head -c 400 "$home/media.json")"
import json, sys
photos = {p["path"].replace("\\", "/").rsplit("/", 1)[-1]: p for p in json.load(open(sys.argv[1], encoding="utf-8"))["photos"]}
video, mark = photos["complaint-bag-stain.mp4"], photos["complaint-bulb-marked.jpg"]
assert video["media"] == "video" and video["video"]["codec"] == "h264", video.get("video")
assert any(f["category"] == "library-derived" for f in video["findings"]), "video: no library match"
marks = [f["evidence"].get("mark") for f in mark["findings"] if f["check"] == "ai-visible-mark"]
assert marks == ["豆包AI生成"], f"visible mark read as {marks}"
print("video matched to the library; visible mark read:", marks[0])
PY
# The window on a photo given on the command line ("Open with ShopGuard"): it must check it and show the result.
limit=()
command -v timeout >/dev/null && limit=(timeout 120)  # macOS has no timeout(1); the CI job has its own limit
QT_QPA_PLATFORM=offscreen "${limit[@]}" "$exe" --home "$home" \
  "$here/resources/demo/complaints/complaint-bulb-resaved.jpg" --quit-when-checked "$home/window.png" \
  > "$home/gui.txt" || fail "the window did not check the photo and quit (exit $?)"
grep -q "checked: complaint-bulb-resaved.jpg;" "$home/gui.txt" || fail "window output: $(cat "$home/gui.txt")"
[ "$(head -c 4 "$home/window.png" | tail -c 3)" = "PNG" ] || fail "no picture of the window"
echo "smoke test passed: $exe"
