#!/usr/bin/env bash
# Step 2: what goes to /usr/lib/pivs on the image, built on this (amd64) machine:
# the compiled TypeScript, production npm packages and the addon cross-built for arm64.
# payload.sh REPO OUT  ->  OUT/app/{package.json,dist/src,src/status/dashboard,node_modules,build/Release/{pivs_native.node,pivs_xdp.o}}
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
REPO=$1 OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT/app" "$OUT/addon"

# A separate outDir: the build never touches the working tree's dist/ or build/.
(cd "$REPO" && npx tsc -p . --outDir "$OUT/tsc") || pivs_die "the TypeScript does not compile (npx tsc -p . shows why)."
cp -a "$OUT/tsc/src" "$OUT/app/dist-src"
mkdir -p "$OUT/app/dist" && mv "$OUT/app/dist-src" "$OUT/app/dist/src"
# The lab (namespaces, a demo) is for a development machine, not the appliance.
rm -rf "$OUT/app/dist/src/lab"
# The status page's files are read from the package root at start.
mkdir -p "$OUT/app/src/status" && cp -a "$REPO/src/status/dashboard" "$OUT/app/src/status/"
cp "$REPO/package.json" "$REPO/package-lock.json" "$OUT/app/"
mkdir -p "$OUT/app/docs" && cp "$REPO"/docs/*.md "$REPO/README.md" "$OUT/app/docs/" 2>/dev/null || true
cp "$REPO/README.md" "$OUT/app/"

"$(dirname "${BASH_SOURCE[0]}")/cross_addon.sh" "$REPO" "$OUT/addon"
mkdir -p "$OUT/app/build/Release"
cp "$OUT/addon/build/Release/pivs_native.node" "$OUT/addon/build/Release/pivs_xdp.o" "$OUT/app/build/Release/"

# Production packages only, without install scripts (the addon is already built above). npm's
# registry is the one download besides Debian's.
(cd "$OUT/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) \
  || pivs_die "npm ci --omit=dev failed in $OUT/app."
