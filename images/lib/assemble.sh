#!/usr/bin/env bash
# Step 7: the disk image without loop devices: a FAT32 file system made with mkfs.vfat and filled
# with mtools, an ext4 one made from the root directory (mke2fs -d), and genimage writing the MBR
# around them. The Pi firmware reads the first (FAT, type 0x0c) partition.
# assemble.sh ROOTFS BOOTFS WORKDIR IMAGE [BOOT_MB]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
R=$1 BOOTFS=$2 W=$3 IMG=$4 BOOT_MB=${5:-256}
rm -rf "$W"
mkdir -p "$W/input" "$W/tmp" "$W/rootpath" "$(dirname "$IMG")"

mkfs.vfat -F 32 -n PIVS-BOOT -C "$W/input/boot.vfat" $((BOOT_MB * 1024)) >/dev/null
mcopy -s -o -i "$W/input/boot.vfat" "$BOOTFS"/* ::/

# The root is its content plus a third (first boot writes host keys, logs, the journal) and
# 128 MB; pivs-growfs.service grows it to the whole card on the first boot.
used_kb=$(du -sk --apparent-size "$R" | cut -f1)
root_mb=$(( (used_kb * 4 / 3) / 1024 + 128 ))
mke2fs -q -t ext4 -L pivs-root -d "$R" -E root_owner=0:0 "$W/input/root.ext4" "${root_mb}M" >/dev/null

cat >"$W/genimage.cfg" <<CFG
image $(basename "$IMG") {
  hdimage {
    partition-table-type = "mbr"
    disk-signature = 0x70697673
  }
  partition boot {
    partition-type = 0x0C
    bootable = "true"
    offset = 4M
    image = "boot.vfat"
  }
  partition root {
    partition-type = 0x83
    image = "root.ext4"
  }
}
CFG
genimage --config "$W/genimage.cfg" --inputpath "$W/input" --outputpath "$(dirname "$IMG")" \
  --tmppath "$W/tmp" --rootpath "$W/rootpath" >"$W/genimage.log" 2>&1 \
  || { tail -20 "$W/genimage.log" >&2; pivs_die "genimage failed (log: $W/genimage.log)."; }
rm -rf "$W/input"
