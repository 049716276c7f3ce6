#!/usr/bin/env bash
# Cross-builds the addon for arm64 (g++-aarch64-linux-gnu) in a copy of the sources, so the
# working tree's build/ (the amd64 addon the tests load) is left alone. N-API: the one build
# runs on the image's Node (Debian trixie's 20.x) whatever Node the build machine has.
# cross_addon.sh REPO OUT  ->  OUT/build/Release/pivs_native.node (aarch64 ELF)
set -euo pipefail
REPO=$1 OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
cp -a "$REPO/binding.gyp" "$REPO/package.json" "$REPO/native" "$OUT/"
ln -s "$REPO/node_modules" "$OUT/node_modules"
cd "$OUT"
CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar \
  "$REPO/node_modules/.bin/node-gyp" rebuild --arch=arm64 --nodedir=/usr -j 2 >"$OUT/node-gyp.log" 2>&1 \
  || { tail -20 "$OUT/node-gyp.log" >&2; echo "pivs image: the arm64 cross-build of the addon failed (log: $OUT/node-gyp.log)." >&2; exit 1; }
