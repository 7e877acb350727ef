#!/usr/bin/env bash
# Every Linux artefact in one command: the bundle (smoke-tested), the .deb, and the .deb's own test
# (installed into a throw-away root: smoke test of the installed copy, upgrade over a seller's data, removal).
#   bash installers/build-linux.sh        -> dist/shopguard_<version>-1_<arch>.deb
# Runs under nice: the machine and CI runners are shared. Takes ~5-8 minutes on 2 cores (installers/README.md).
# OpenCV: the cached minimal build when there is one; SHOPGUARD_OPENCV_MIN=1 builds it on a miss (~26 CPU-minutes),
# SHOPGUARD_OPENCV_MIN=0 keeps the PyPI wheel (build-bundle.sh, installers/opencv-min.py).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
# The smoke test runs once, on the copy the .deb installs (test-deb.sh), not also on dist/shopguard.
nice -n 10 bash installers/build-bundle.sh --no-smoke-test
# Two revisions of the same bundle: the second is installed over the first in the upgrade test.
nice -n 10 bash installers/build-deb.sh --revision 1
nice -n 10 bash installers/build-deb.sh --revision 2 --fast
version="$(dist/shopguard/shopguard --version | cut -d' ' -f2)"
arch="$(dpkg --print-architecture)"
nice -n 10 bash installers/test-deb.sh "dist/shopguard_${version}-1_${arch}.deb" "dist/shopguard_${version}-2_${arch}.deb"
rm -f "dist/shopguard_${version}-2_${arch}.deb"  # only made for the upgrade test
echo "build-linux: dist/shopguard_${version}-1_${arch}.deb in $((SECONDS - start)) s"
