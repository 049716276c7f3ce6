// Wires the codecs, the responder and the resolver to the dataplane.
import os from 'node:os';
import type { Logger } from 'pino';
import { Clock, systemClock } from '../common/clock';
import { canonicalAddress } from '../config/address';
import type { Dataplane } from '../dataplane/types';
import { gratuitousArpFrame } from './arp_codec';
import { decodeControlFrame } from './control_frame';
import { MalformedPacketError } from './errors';
import { unsolicitedAdvertisementFrame } from './nd_codec';
import { DEFAULT_TIMING, Resolver, ResolverTiming, type StaticNeighbour } from './resolver';
import { answer, bindingOf, hintOf } from './responder';
import { InterfaceAddresses } from './source_address';

/** Gratuitous ARPs per address when the active link changes (keepalived's garp_master_repeat). */
export const GARP_BURST = 3;

export interface ArpCounters {
  /** Control frames handed up by the dataplane. */
  received: number;
  /** ARP replies, echo replies and neighbor advertisements sent for virtual addresses. */
  answered: number;
  /** Frames dropped because they could not be decoded. */
  malformed: number;
}

/** What the ARP service answers for and resolves. */
export interface ArpAddresses {
  virtualAddresses: string[];
  realAddresses: string[];
  /** Real servers' MACs fixed by configuration (director.staticNeighbours): never resolved. */
  staticNeighbours?: StaticNeighbour[];
}

export interface ArpService {
  setAddresses(a: ArpAddresses): void;
  /**
   * VRRP ownership: answer only for these addresses, each with its MAC (the instance's virtual
   * MAC while master). null (the default, no VRRP): every virtual address, with the interface MAC.
   */
  setVirtualMacs(macs: ReadonlyMap<string, string> | null): void;
  /**
   * The active link changed (link/): announce what we answer for there (gratuitous ARP /
   * unsolicited NA, GARP_BURST times) and resolve the real servers again on it.
   */
  setInterface(name: string): void;
  counters(): ArpCounters;
  close(): void;
}

export interface ArpOptions {
  /** Only these members are used, so tests can hand in a small fake. */
  dataplane: Pick<Dataplane, 'mac' | 'sendFrame' | 'setNeighbour' | 'onControlFrames'>;
  /** The LAN interface whose own addresses source our ARP requests / solicitations. */
  interface: string;
  logger: Logger;
  clock?: Clock;
  /** Defaults to os.networkInterfaces(); injectable for tests. */
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  timing?: Partial<ResolverTiming>;
}

export function startArp(opts: ArpOptions): ArpService {
  const { dataplane, logger } = opts;
  const log = logger.child({ module: 'arp' });
  const networkInterfaces = opts.networkInterfaces ?? os.networkInterfaces;
  const counters: ArpCounters = { received: 0, answered: 0, malformed: 0 };
  let virtualAddresses = new Set<string>();
  let virtualMacs: ReadonlyMap<string, string> | null = null;
  let closed = false;
  let iface = opts.interface;

  const send = (frame: Buffer): void => {
    try {
      dataplane.sendFrame(frame);
    } catch (err) {
      log.warn({ err }, 'could not transmit a control frame');
    }
  };

  const resolver = new Resolver(
    {
      clock: opts.clock ?? systemClock,
      logger: log,
      ownMac: () => dataplane.mac,
      interfaceAddresses: (): InterfaceAddresses => networkInterfaces()[iface] ?? [],
      send,
      setNeighbour: (address, mac) => dataplane.setNeighbour(address, mac),
    },
    { ...DEFAULT_TIMING, ...opts.timing },
  );

  const ctx = {
    get mac() { return dataplane.mac; },
    isVirtual: (a: string) => (virtualMacs === null ? virtualAddresses.has(a) : virtualMacs.has(a)),
    macFor: (a: string) => virtualMacs?.get(a) ?? dataplane.mac,
  };

  const handle = (frame: Buffer): void => {
    counters.received++;
    let decoded;
    try {
      decoded = decodeControlFrame(frame);
    } catch (err) {
      if (!(err instanceof MalformedPacketError)) throw err;
      counters.malformed++;
      log.debug({ reason: err.message, length: frame.length }, 'ignored a malformed control frame');
      return;
    }
    const binding = bindingOf(decoded, dataplane.mac);
    if (!(binding && resolver.observe(binding.address, binding.mac))) {
      const hint = hintOf(decoded, dataplane.mac);
      if (hint) resolver.doubt(hint.address, hint.mac);
    }
    const reply = answer(decoded, ctx);
    if (reply) {
      counters.answered++;
      send(reply);
    }
  };

  // The dataplane offers no way to unsubscribe, so a closed service just stops listening.
  dataplane.onControlFrames((frames) => {
    if (closed) return;
    for (const frame of frames) {
      try {
        handle(frame);
      } catch (err) {
        log.error({ err }, 'control frame handling failed');
      }
    }
  });

  return {
    setAddresses({ virtualAddresses: virtuals, realAddresses: reals, staticNeighbours = [] }) {
      if (closed) throw new Error('The ARP service is closed; start a new one.');
      // Validate everything before changing anything.
      const virtualKeys = virtuals.map((a) => canonicalAddress(a).address);
      for (const a of reals) canonicalAddress(a);
      for (const n of staticNeighbours) canonicalAddress(n.address);
      virtualAddresses = new Set(virtualKeys);
      resolver.setAddresses(reals, staticNeighbours);
    },
    setVirtualMacs(macs) {
      virtualMacs = macs === null ? null : new Map(macs);
    },
    setInterface(name) {
      if (closed) return;
      iface = name;
      const owned: Array<[string, string]> = virtualMacs === null
        ? [...virtualAddresses].map((a) => [a, dataplane.mac])
        : [...virtualMacs];
      for (let i = 0; i < GARP_BURST; i++) {
        for (const [address, mac] of owned) {
          send(address.includes(':') ? unsolicitedAdvertisementFrame(mac, address) : gratuitousArpFrame(mac, address));
        }
      }
      resolver.recheck();
    },
    counters: () => ({ ...counters }),
    close() {
      closed = true;
      resolver.close();
    },
  };
}
