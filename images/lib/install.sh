#!/usr/bin/env bash
# Step 5: pivs and the appliance's settings into the unpacked Debian root. Runs on the host (no
# emulation): systemctl --root and systemd-sysusers --root work offline.
# install.sh REPO PAYLOAD ROOTFS
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
REPO=$1 PAYLOAD=$2 R=$3
IMAGES=$REPO/images

# pivs itself, with one small launcher per command (Debian's node at /usr/bin/node).
rm -rf "$R/usr/lib/pivs"
cp -a "$PAYLOAD/app" "$R/usr/lib/pivs"
chown -R 0:0 "$R/usr/lib/pivs"
launcher() {
  printf '#!/bin/sh\nexec /usr/bin/node /usr/lib/pivs/dist/src/%s "$@"\n' "$2" >"$R/usr/bin/$1"
  chmod 755 "$R/usr/bin/$1"
}
launcher pivsd daemon/main.js
launcher pivsadm cli/main.js
launcher pivs-agent agent/main.js
launcher pivs-appliance appliance/main.js
install -m 755 "$REPO/systemd/grow-root" "$R/usr/lib/pivs/grow-root"

# Units, the unprivileged user, sysctls.
for u in pivsd pivs-agent pivs-realserver pivs-boot-config pivs-growfs; do
  install -m 644 "$REPO/systemd/$u.service" "$R/usr/lib/systemd/system/$u.service"
done
install -D -m 644 "$REPO/systemd/pivs.sysusers.conf" "$R/usr/lib/sysusers.d/pivs.conf"
install -D -m 644 "$REPO/systemd/90-pivs-director.conf" "$R/etc/sysctl.d/90-pivs-director.conf"
install -D -m 644 "$REPO/systemd/90-pivs-realserver.conf" "$R/etc/sysctl.d/90-pivs-realserver.conf"
systemd-sysusers --root="$R" "$R/usr/lib/sysusers.d/pivs.conf" >/dev/null
mkdir -p "$R/etc/pivs"
chmod 755 "$R/etc/pivs"
# pivs-agent runs as a dynamic user: the pivs group lets it read agent.yaml (mode 0640).
mkdir -p "$R/etc/systemd/system/pivs-agent.service.d"
printf '[Service]\nSupplementaryGroups=pivs\n' >"$R/etc/systemd/system/pivs-agent.service.d/appliance.conf"

# Network: systemd-networkd with the files pivs-boot-config writes; wait for one link at most 30 s
# so a card without a cable still boots quickly.
mkdir -p "$R/etc/systemd/system/systemd-networkd-wait-online.service.d"
printf '[Service]\nExecStart=\nExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=30\n' \
  >"$R/etc/systemd/system/systemd-networkd-wait-online.service.d/appliance.conf"
mkdir -p "$R/etc/systemd/system/wpa_supplicant@.service.d"
printf '[Unit]\nConditionPathExists=/etc/wpa_supplicant/wpa_supplicant-%%i.conf\nAfter=pivs-boot-config.service\n' \
  >"$R/etc/systemd/system/wpa_supplicant@.service.d/appliance.conf"
# The kernel's names (eth0, wlan0) on every Pi model and in qemu: what network.yaml documents.
mkdir -p "$R/etc/systemd/network"
ln -sf /dev/null "$R/etc/systemd/network/99-default.link"

# SSH: keys only; host keys are made on the card's first boot, so no two appliances share them.
rm -f "$R"/etc/ssh/ssh_host_*
mkdir -p "$R/etc/ssh/sshd_config.d" "$R/etc/systemd/system/ssh.service.d"
printf 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n' \
  >"$R/etc/ssh/sshd_config.d/pivs.conf"
printf '[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n' >"$R/etc/systemd/system/ssh.service.d/appliance.conf"
# root has no password (locked): SSH keys from the boot partition are the way in.
sed -i 's/^root:[^:]*:/root:*:/' "$R/etc/shadow"

printf 'pivs\n' >"$R/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tpivs\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$R/etc/hosts"
cat >"$R/etc/fstab" <<FSTAB
LABEL=pivs-root  /              ext4  defaults,noatime  0 1
LABEL=PIVS-BOOT  /boot/firmware vfat  defaults,umask=0077,noatime  0 2
FSTAB
# Empty: each card gets its own machine id (and DHCP client id) on its first boot.
: >"$R/etc/machine-id"
rm -f "$R/var/lib/dbus/machine-id"

systemctl --root="$R" enable --quiet pivsd.service pivs-agent.service pivs-realserver.service \
  pivs-boot-config.service pivs-growfs.service systemd-networkd.service systemd-timesyncd.service \
  ssh.service wpa_supplicant@wlan0.service systemd-networkd-wait-online.service
rm -f "$R/usr/sbin/policy-rc.d"
