#!/usr/bin/env bash
# Step 6: the FAT boot partition's contents: Raspberry Pi
# firmware, kernel, initrd, device trees, config.txt and cmdline.txt as Debian's raspi-firmware
# hooks write them, plus the user's files (examples until edited).
# boot.sh REPO ROOTFS BOOTFS
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
REPO=$1 R=$2 BOOTFS=$3
trap 'pivs_unmount_under "$R"' EXIT

# raspi-firmware's settings: root by label, serial and HDMI consoles (Debian's cmdline already has net.ifnames=0).
sed -i -e 's/^#\?ROOTPART=.*/ROOTPART=LABEL=pivs-root/' -e 's/^#\?CONSOLES=.*/CONSOLES="ttyS1,115200 tty0"/' \
  "$R/etc/default/raspi-firmware"
grep -q '^ROOTPART=' "$R/etc/default/raspi-firmware" || echo 'ROOTPART=LABEL=pivs-root' >>"$R/etc/default/raspi-firmware"

rm -rf "$R/boot/firmware"
mkdir -p "$R/boot/firmware"
mount --bind "$R/boot/firmware" "$R/boot/firmware"
pivs_chroot_mount "$R"
pivs_ischroot_on "$R"
# What raspi-firmware's configure step does (and repeats on the Pi at every upgrade): copy the
# firmware, then run its kernel hook, which adds kernel, initrd, device trees, config.txt and
# cmdline.txt. The initramfs it copies was built with the small module list (base.sh).
cp -r "$R"/usr/lib/raspi-firmware/. "$R/boot/firmware/"
pivs_chroot "$R" env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware >"$BOOTFS.log" 2>&1 \
  || { tail -20 "$BOOTFS.log"; pivs_die "raspi-firmware's kernel hook failed (log: $BOOTFS.log)."; }
pivs_ischroot_off "$R"
rm -rf "$BOOTFS"
mkdir -p "$BOOTFS"
cp -r "$R/boot/firmware/." "$BOOTFS/"
umount "$R/boot/firmware"
pivs_unmount_under "$R"
rm -rf "${R:?}/boot/firmware/"*
[ -f "$BOOTFS/config.txt" ] && [ -f "$BOOTFS/cmdline.txt" ] || pivs_die "raspi-firmware wrote no config.txt/cmdline.txt (log: $BOOTFS.log)."

# The boot test (qemu virt machine) and users' recovery need the kernel under a fixed name too.
cp "$R"/boot/vmlinuz-* "$BOOTFS/vmlinuz" 2>/dev/null || true
cp "$R"/boot/initrd.img-* "$BOOTFS/initrd.img"
install -m 644 "$REPO/images/boot/"* "$BOOTFS/"
