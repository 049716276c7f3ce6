// network.yaml settings as the files the appliance's Debian reads: systemd-networkd .network
// files, /etc/hostname, /etc/resolv.conf and a wpa_supplicant file for wlan0. Pure.
import { pbkdf2Sync } from 'node:crypto';
import type { InterfaceSettings, NetworkSettings, WifiSettings } from './boot_files';

/** Relative path (under the root) to content; null content: the file must not exist. */
export type FileSet = Map<string, string | null>;

export const NETWORKD_DIR = 'etc/systemd/network';
export const WPA_FILE = 'etc/wpa_supplicant/wpa_supplicant-wlan0.conf';

export function networkFiles(net: NetworkSettings, existingNetworkd: readonly string[]): FileSet {
  const files: FileSet = new Map();
  // Ours are the 10-pivs-*.network files: drop those of interfaces no longer listed.
  for (const name of existingNetworkd) {
    if (/^10-pivs-.*\.network$/.test(name)) files.set(`${NETWORKD_DIR}/${name}`, null);
  }
  for (const i of net.interfaces) files.set(`${NETWORKD_DIR}/10-pivs-${i.name}.network`, networkdUnit(i, net.dns));
  if (net.hostname !== null) {
    files.set('etc/hostname', `${net.hostname}\n`);
    files.set('etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${net.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  }
  if (net.dns.length > 0) files.set('etc/resolv.conf', net.dns.map((d) => `nameserver ${d}\n`).join(''));
  files.set(WPA_FILE, net.wifi === null ? null : wpaSupplicant(net.wifi));
  return files;
}

function networkdUnit(i: InterfaceSettings, dns: string[]): string {
  const lines = ['# Written by pivs-boot-config from network.yaml on the boot partition: edit that file instead.',
    '[Match]', `Name=${i.name}`, '', '[Network]', `DHCP=${i.dhcp ? 'yes' : 'no'}`];
  for (const a of i.addresses) lines.push(`Address=${a}`);
  if (i.gateway !== null) lines.push(`Gateway=${i.gateway}`);
  if (i.gateway6 !== null) lines.push(`Gateway=${i.gateway6}`);
  for (const d of dns) lines.push(`DNS=${d}`);
  return `${lines.join('\n')}\n`;
}

function wpaSupplicant(w: WifiSettings): string {
  // The SSID in hex and the PSK precomputed (PBKDF2, as wpa_passphrase does): no quoting rules
  // of wpa_supplicant's file format can be broken by what the user typed.
  const ssidHex = Buffer.from(w.ssid, 'utf8').toString('hex');
  const security = w.passphrase === null
    ? ['\tkey_mgmt=NONE']
    : [`\tpsk=${pbkdf2Sync(w.passphrase, Buffer.from(w.ssid, 'utf8'), 4096, 32, 'sha1').toString('hex')}`];
  return ['# Written by pivs-boot-config from network.yaml on the boot partition.',
    'ctrl_interface=DIR=/run/wpa_supplicant', `country=${w.country}`, 'network={', `\tssid=${ssidHex}`, ...security, '}', ''].join('\n');
}
