#!/usr/bin/env bash
# Install the Debian/Ubuntu packages ShopGuard needs. Idempotent: skips apt when everything is present.
#   installers/system-packages.sh runtime   Qt runtime libraries, X11/xcb plugin libraries, CJK font, python venv
#   installers/system-packages.sh test      runtime + Xvfb and poppler (pdftoppm/pdffonts) for tests and screenshots
#   installers/system-packages.sh build     test + what the Linux installer build needs: binutils (objdump, nm,
#                                           readelf), a C compiler with libc headers (installers/stub-encoders.py,
#                                           opencv-blas.py), a C++ compiler (installers/stub-heif-encoder.py) and
#                                           icupkg (installers/icu-data.py)
set -euo pipefail
mode=${1:-runtime}
runtime=(python3 python3-venv python3-pip libglib2.0-0 libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3
         libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
         libxkbcommon-x11-0 fonts-wqy-microhei xdg-utils)
test_extra=(xvfb xauth poppler-utils poppler-data imagemagick)
# libc6-dev: only a Recommends of gcc, and --no-install-recommends skips it; icu-devtools: icupkg (icu-data.py)
build_extra=(binutils gcc g++ libc6-dev icu-devtools)
case "$mode" in
  runtime) packages=("${runtime[@]}") ;;
  test) packages=("${runtime[@]}" "${test_extra[@]}") ;;
  build) packages=("${runtime[@]}" "${test_extra[@]}" "${build_extra[@]}") ;;
  *) echo "usage: installers/system-packages.sh [runtime|test|build]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all ${#packages[@]} present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ShopGuard's installer needs apt-get (Debian/Ubuntu). Missing packages: ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
