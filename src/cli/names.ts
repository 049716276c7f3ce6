// Host and service names, as ipvsadm resolves them, but from /etc/hosts and /etc/services only:
// pivsadm never waits on DNS (a listing on a director must not hang when the resolver is down).
import { readFileSync } from 'node:fs';
import type { Protocol } from '../config/model';

export interface Names {
  /** IPv4 address for a host name (ipvsadm's gethostbyname accepts IPv4 only). */
  hostToAddress(name: string): string | undefined;
  serviceToPort(name: string, protocol: Protocol): number | undefined;
  addressToHost(address: string): string | undefined;
  portToService(port: number, protocol: Protocol): string | undefined;
}

/** -n: every address and port stays numeric. */
export const NUMERIC: Names = {
  hostToAddress: () => undefined,
  serviceToPort: () => undefined,
  addressToHost: () => undefined,
  portToService: () => undefined,
};

function lines(text: string): string[][] {
  return text.split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/));
}

/** Builds Names from the text of an /etc/hosts and an /etc/services file (first entry wins, as in libc). */
export function namesFromFiles(hostsText: string, servicesText: string): Names {
  const byName = new Map<string, string>();
  const byAddress = new Map<string, string>();
  for (const [address, ...hostnames] of lines(hostsText)) {
    if (hostnames.length === 0) continue;
    if (!byAddress.has(address)) byAddress.set(address, hostnames[0]);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) continue;
    for (const h of hostnames) if (!byName.has(h)) byName.set(h, address);
  }
  const portByName = new Map<string, number>();
  const nameByPort = new Map<string, string>();
  for (const [name, portProto, ...aliases] of lines(servicesText)) {
    const m = /^(\d+)\/(tcp|udp)$/.exec(portProto ?? '');
    if (!m) continue;
    const port = Number(m[1]);
    for (const n of [name, ...aliases]) {
      const key = `${n}/${m[2]}`;
      if (!portByName.has(key)) portByName.set(key, port);
    }
    const pkey = `${port}/${m[2]}`;
    if (!nameByPort.has(pkey)) nameByPort.set(pkey, name);
  }
  return {
    hostToAddress: (name) => byName.get(name),
    serviceToPort: (name, protocol) => portByName.get(`${name}/${protocol}`),
    addressToHost: (address) => byAddress.get(address),
    portToService: (port, protocol) => nameByPort.get(`${port}/${protocol}`),
  };
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function systemNames(): Names {
  return namesFromFiles(readOrEmpty('/etc/hosts'), readOrEmpty('/etc/services'));
}
