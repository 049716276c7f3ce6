#!/usr/bin/env bash
# Steps 3 and 4: the Debian arm64 root without pivs, packed as a tar for reuse.
# base.sh DIR SUITE MIRROR OUT.tar STEPS PACKAGE...
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DIR=$1 SUITE=$2 MIRROR=$3 TAR=$4 STEPS=$5
shift 5

pivs_unmount_under "$DIR"
rm -rf "$DIR"
trap 'pivs_unmount_under "$DIR"' EXIT

pivs_step 3 "$STEPS" "Debian $SUITE arm64 base (debootstrap, second stage under qemu-user)"
debootstrap --arch=arm64 --foreign --variant=minbase --components=main,non-free-firmware \
  "$SUITE" "$DIR" "$MIRROR" >"$DIR.debootstrap.log" 2>&1 || { tail -20 "$DIR.debootstrap.log"; pivs_die "debootstrap failed (log: $DIR.debootstrap.log)."; }
pivs_chroot_mount "$DIR"
pivs_chroot "$DIR" /debootstrap/debootstrap --second-stage >>"$DIR.debootstrap.log" 2>&1 \
  || { tail -20 "$DIR.debootstrap.log"; pivs_die "debootstrap's second stage failed (log: $DIR.debootstrap.log)."; }

pivs_step 4 "$STEPS" "Debian packages: kernel, Raspberry Pi firmware, nodejs, ssh (slow under emulation)"
cat >"$DIR/etc/apt/sources.list" <<SRC
deb $MIRROR $SUITE main non-free-firmware
deb $MIRROR $SUITE-updates main non-free-firmware
deb $MIRROR $SUITE-backports main non-free-firmware
deb http://deb.debian.org/debian-security $SUITE-security main non-free-firmware
SRC
# Only the kernel follows backports (the Pi 5 needs its RP1 drivers), also for upgrades on the Pi.
mkdir -p "$DIR/etc/apt/preferences.d"
cat >"$DIR/etc/apt/preferences.d/pivs-kernel" <<PIN
Package: linux-image-arm64 linux-image-[0-9]* linux-base-* linux-modules-* linux-base
Pin: release n=$SUITE-backports
Pin-Priority: 990
PIN
# No daemon may start inside the build chroot.
printf '#!/bin/sh\nexit 101\n' >"$DIR/usr/sbin/policy-rc.d"
chmod 755 "$DIR/usr/sbin/policy-rc.d"
# A small initramfs with only the modules listed in install.sh: building one with MODULES=most
# under emulation takes many minutes per kernel hook run.
mkdir -p "$DIR/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=gzip\n' >"$DIR/etc/initramfs-tools/conf.d/pivs.conf"
mkdir -p "$DIR/etc/initramfs-tools"
cat >"$DIR/etc/initramfs-tools/modules" <<MOD
# Raspberry Pi 3/4/5 SD card and the qemu virt machine used by the boot test.
mmc_block
sdhci_iproc
sdhci_pltfm
sdhci_brcmstb
bcm2835
virtio_blk
virtio_pci
virtio_mmio
virtio_net
ext4
MOD
# raspi-firmware's hooks write to /boot/firmware, the FAT partition's mount point on the Pi.
mkdir -p "$DIR/boot/firmware"
mount --bind "$DIR/boot/firmware" "$DIR/boot/firmware"
pivs_ischroot_on "$DIR"
pivs_chroot "$DIR" apt-get update -qq >"$DIR.apt.log" 2>&1 || { tail -20 "$DIR.apt.log"; pivs_die "apt-get update in the chroot failed (log: $DIR.apt.log)."; }
pivs_chroot "$DIR" apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >>"$DIR.apt.log" 2>&1 \
  || { tail -30 "$DIR.apt.log"; pivs_die "installing Debian packages in the chroot failed (log: $DIR.apt.log)."; }
pivs_ischroot_off "$DIR"
pivs_chroot "$DIR" apt-get clean
rm -rf "$DIR/var/lib/apt/lists/"*
umount "$DIR/boot/firmware"
pivs_unmount_under "$DIR"
tar -C "$DIR" --numeric-owner -cpf "$TAR.tmp" .
mv "$TAR.tmp" "$TAR"
rm -rf "$DIR"
