# Helpers shared by the image build steps (sourced).

pivs_die() {
  echo "pivs image: $*" >&2
  exit 1
}

# One progress line per step: "[3/8] Debian packages (12 s so far)".
pivs_step() {
  local elapsed=""
  [ -n "${START:-}" ] && elapsed=" ($(( $(date +%s) - START )) s so far)"
  echo "[$1/$2] $3$elapsed"
}

pivs_enable_binfmt() {
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] \
    || pivs_die "arm64 emulation is not available: install qemu-user-static and binfmt-support."
}

# The chroot needs /proc (initramfs tools, dpkg triggers), /sys and /dev.
pivs_chroot_mount() {
  local dir=$1
  mkdir -p "$dir/proc" "$dir/sys" "$dir/dev"
  mountpoint -q "$dir/proc" || mount -t proc proc "$dir/proc"
  mountpoint -q "$dir/sys" || mount --bind /sys "$dir/sys"
  mountpoint -q "$dir/dev" || mount --bind /dev "$dir/dev"
}

# Unmounts everything below a directory, deepest first (also after a failed run).
pivs_unmount_under() {
  local dir
  dir=$(readlink -f "$1" 2>/dev/null || echo "$1")
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
}

pivs_chroot() {
  local dir=$1
  shift
  LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$dir" "$@"
}

# raspi-firmware's scripts skip their "is /boot/firmware mounted?" check only when ischroot says
# so, which it cannot tell inside some containers: make it say so while we build.
pivs_ischroot_on() {
  pivs_chroot "$1" dpkg-divert --quiet --local --no-rename --add /usr/bin/ischroot
  [ -e "$1/usr/bin/ischroot.pivs" ] || mv "$1/usr/bin/ischroot" "$1/usr/bin/ischroot.pivs"
  ln -sf /bin/true "$1/usr/bin/ischroot"
}

pivs_ischroot_off() {
  if [ -e "$1/usr/bin/ischroot.pivs" ]; then
    rm -f "$1/usr/bin/ischroot"
    mv "$1/usr/bin/ischroot.pivs" "$1/usr/bin/ischroot"
  fi
  pivs_chroot "$1" dpkg-divert --quiet --local --no-rename --remove /usr/bin/ischroot || true
}
