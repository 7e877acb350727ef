#!/usr/bin/env bash
# Build the one-folder bundle (dist/shopguard) with PyInstaller and smoke-test it.
#   bash installers/build-bundle.sh          bundle + smoke test
#   bash installers/build-bundle.sh --tar    also pack dist/shopguard-<version>-linux-<arch>.tar.gz
#   bash installers/build-bundle.sh --no-smoke-test   (build-linux.sh: it smoke-tests the installed .deb instead)
#   SHOPGUARD_OPENCV_MIN=1|0   build the minimal OpenCV on a miss | never use it (default: use it when cached)
# Needs: bash scripts/run-tests.sh once (for .venv), binutils (objdump, nm, readelf), C and C++ compilers (gcc, g++), icupkg
# (icu-devtools). Sizes and times: installers/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v objdump >/dev/null || { sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo; $sudo apt-get install -y -qq binutils; }
# installers/stub-encoders.py compiles three small libraries: stop here, before the build, if it cannot.
command -v cc >/dev/null || command -v gcc >/dev/null || {
  echo "build-bundle: no C compiler (cc or gcc): the Linux bundle replaces PyAV's unused video encoders by small" \
       "generated libraries (installers/stub-encoders.py). Install one: sudo apt-get install gcc libc6-dev" \
       "(or: bash installers/system-packages.sh build)" >&2
  exit 1
}
# installers/stub-heif-encoder.py compiles a small C++ library.
command -v c++ >/dev/null || command -v g++ >/dev/null || {
  echo "build-bundle: no C++ compiler (c++ or g++): the Linux bundle replaces pillow-heif's unused HEIC encoder by a" \
       "small generated library (installers/stub-heif-encoder.py). Install one: sudo apt-get install g++" \
       "(or: bash installers/system-packages.sh build)" >&2
  exit 1
}
# installers/icu-data.py repacks Qt's ICU data with icupkg.
command -v icupkg >/dev/null || {
  echo "build-bundle: no icupkg: the Linux bundle keeps only the ICU data Qt uses (installers/icu-data.py)." \
       "Install it: sudo apt-get install icu-devtools (or: bash installers/system-packages.sh build)" >&2
  exit 1
}
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e ".[build]"
bash scripts/install-ocr.sh .venv/bin/python
# OpenCV: the minimal build with only the modules ShopGuard calls (-38 MB; installers/opencv-min.py) when it is
# cached; SHOPGUARD_OPENCV_MIN=1 builds it on a miss (~26 CPU-minutes), SHOPGUARD_OPENCV_MIN=0 keeps the PyPI wheel.
# It is unpacked into build/opencv-min and put first on PyInstaller's path, never installed into .venv: the tests
# use the PyPI wheel (its cv2.inpaint paints their forgeries).
opencv_min=""
case "${SHOPGUARD_OPENCV_MIN:-}" in
  0) ;;
  1) opencv_min="$(.venv/bin/python installers/opencv-min.py --build)" ;;
  *) opencv_min="$(.venv/bin/python installers/opencv-min.py 2>/dev/null)" || opencv_min="" ;;
esac
rm -rf build/opencv-min
if [ -n "$opencv_min" ]; then
  echo "build-bundle: OpenCV from the minimal build $opencv_min"
  # Unpacked without the build tree's RUNPATH (a path of the build machine; opencv-min.py drop_runpath).
  .venv/bin/python installers/opencv-min.py --unpack "$opencv_min" build/opencv-min
  # Every cv2 name shopguard/ uses (read from its code) must exist in it; stops the build if not.
  PYTHONPATH="$PWD/build/opencv-min" .venv/bin/python installers/opencv-min.py --check .venv/bin/python
else
  echo "build-bundle: OpenCV from the PyPI wheel: no minimal build cached ($(.venv/bin/python installers/opencv-min.py \
--cache-dir)/$(.venv/bin/python installers/opencv-min.py --key)); SHOPGUARD_OPENCV_MIN=1 builds it (installers/README.md)"
fi
start=$SECONDS
env ${opencv_min:+"PYTHONPATH=$PWD/build/opencv-min${PYTHONPATH:+:$PYTHONPATH}"} \
  .venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build installers/shopguard.spec
if [ -n "$opencv_min" ]; then  # the bundle's OpenCV is the very module checked above
  cmp build/opencv-min/cv2/cv2.abi3.so dist/shopguard/_internal/cv2/cv2.abi3.so
fi
# The build machine's Python (libpython, lib-dynload) keeps its debug symbols (26 MB). Strip only those: the
# wheels' libraries are auditwheel-patched and strip corrupts them (shopguard.spec).
for lib in dist/shopguard/_internal/libpython3*.so* dist/shopguard/_internal/python3*/lib-dynload/*.so; do
  case "$(file "$lib")" in *"not stripped"*) strip --strip-unneeded "$lib" ;; esac
done
# OpenCV loads the FFmpeg, libavif, libpng and gfortran runtime that PyAV, Pillow and numpy ship instead of its own
# copies (-45 MB; installers/share-libs.py says why that is safe).
PATH="$PWD/.venv/bin:$PATH" .venv/bin/python installers/share-libs.py dist/shopguard/_internal
# PyAV's video encoders (x264, x265, SVT-AV1; ShopGuard only decodes) become stubs that refuse to open (-30 MB;
# installers/stub-encoders.py checks the result: every stubbed encoder raises a Python exception, none crashes).
.venv/bin/python installers/stub-encoders.py dist/shopguard/_internal
# pillow-heif's x265 (HEIC encoder; ShopGuard only decodes) becomes a C++ stub that keeps what libheif needs from it,
# std::cerr constructed (-23 MB; the script decodes every HEIC/HEIF/AVIF it made, and the test data's when present,
# with and without the stub, and stops the build on any difference; installers/README.md "Session 13").
SHOPGUARD_TESTDATA="${SHOPGUARD_TESTDATA:-$PWD/../shared/testdata}" \
  .venv/bin/python installers/stub-heif-encoder.py dist/shopguard/_internal
# OpenCV's 19 BLAS/LAPACK calls go to numpy's OpenBLAS through a generated 14 KB library (-40 MB); Qt's ICU data
# keeps root, English and Chinese (-26 MB); PyAV's and Pillow's debug information goes, no mapped byte changes
# (-29 MB). Each script checks its own result (installers/README.md, "Session 12").
.venv/bin/python installers/opencv-blas.py dist/shopguard/_internal
.venv/bin/python installers/icu-data.py dist/shopguard/_internal
.venv/bin/python installers/drop-debug-info.py dist/shopguard/_internal
# PyInstaller's top-level links to libraries the spec dropped (Wayland, EGLFS) lead nowhere: remove them.
find dist/shopguard/_internal -maxdepth 1 -xtype l -delete
echo "bundle: $(du -sm dist/shopguard | cut -f1) MB unpacked, built in $((SECONDS - start)) s"
case " $* " in *" --no-smoke-test "*) ;; *) bash installers/smoke-test.sh dist/shopguard/shopguard ;; esac
case " $* " in *" --tar "*)
  version=$(dist/shopguard/shopguard --version | cut -d' ' -f2)
  tar -C dist -czf "dist/shopguard-$version-linux-$(uname -m).tar.gz" shopguard
  echo "built dist/shopguard-$version-linux-$(uname -m).tar.gz" ;;
esac
