#!/usr/bin/env bash
# Sourced by scripts/test, scripts/lab and images/build: installs what pivs needs on a Debian
# machine (as root), builds the addon and the TypeScript. Quiet when everything is already there.
# Run as a command, `scripts/setup.sh image-test` installs what `npm run test:image` needs.
set -euo pipefail

PIVS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages the builds need (the addon, and with clang and libbpf/libxdp's headers the AF_XDP
# backend's program)...
PIVS_BUILD_PACKAGES=(g++ gcc make python3 clang libbpf-dev libxdp-dev)
# ...the lab adds namespaces, a client, and man for the pages setup installs...
PIVS_LAB_PACKAGES=("${PIVS_BUILD_PACKAGES[@]}" iproute2 curl procps ethtool man-db)
# ...and those the tests add as real peers and tools.
PIVS_TEST_PACKAGES=("${PIVS_LAB_PACKAGES[@]}" openssl tcpdump keepalived snmpd snmp snmptrapd smitools chromium systemd fdisk genimage mtools dosfstools e2fsprogs g++-aarch64-linux-gnu libclang-rt-14-dev)
# The Raspberry Pi image build (images/build: debootstrap and arm64 emulation, the disk image
# without loop devices, the addon cross-built)...
PIVS_IMAGE_PACKAGES=("${PIVS_BUILD_PACKAGES[@]}" debootstrap qemu-user-static binfmt-support genimage mtools dosfstools e2fsprogs xz-utils fdisk g++-aarch64-linux-gnu)
# ...and its checks (npm run test:image: the image read in place, then booted in qemu over SSH).
PIVS_IMAGE_TEST_PACKAGES=(fdisk e2fsprogs mtools xz-utils qemu-system-arm ipxe-qemu openssh-client)

pivs_need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "pivs: this needs root (network namespaces, packet sockets): run it with sudo." >&2
    exit 1
  fi
}

pivs_install_debian() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "pivs: Debian packages are missing (${missing[*]}) and installing them needs root: run it with sudo." >&2
    exit 1
  fi
  echo "pivs: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pivs_npm_packages() {
  cd "$PIVS_ROOT"
  # npm ci also builds the addon (the package's install script runs node-gyp).
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "pivs: installing npm packages and building the addon"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

pivs_build() {
  pivs_npm_packages
  if [ ! -f build/Release/pivs_native.node ] || [ -n "$(find native binding.gyp -newer build/Release/pivs_native.node -print -quit)" ]; then
    echo "pivs: building the addon"
    npm run --silent build:native >/dev/null
  fi
  echo "pivs: compiling TypeScript"
  # A fresh dist/ so no compiled test outlives its source. The build checks native/contract.h's
  # TypeScript side first and ends with the executable commands and their man pages.
  rm -rf dist
  npm run --silent build
  # pivsd, pivsadm and pivs-agent on PATH (links to dist/) and man pivsadm, from any directory.
  node scripts/tools install
}

# pivs_packages PACKAGE...: Node.js and npm, the Debian packages given, the npm packages.
pivs_packages() {
  command -v npm >/dev/null || pivs_install_debian nodejs npm
  pivs_install_debian "$@"
  pivs_npm_packages
}

# pivs_setup PACKAGE...: root check, Debian packages, npm packages, addon and TypeScript builds.
pivs_setup() {
  pivs_need_root
  pivs_packages "$@"
  pivs_build
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    image-test) pivs_packages "${PIVS_IMAGE_TEST_PACKAGES[@]}" ;;
    *) echo "usage: scripts/setup.sh image-test   (other uses source this file)" >&2; exit 2 ;;
  esac
fi
