// Keeps the MAC of every real server known to the fast path: ARP (IPv4) / neighbor discovery
// (IPv6), retries with bounded backoff while unresolved, periodic re-confirmation once resolved.
// A MAC is learnt only from an answer to a request of ours that is still fresh; a different MAC
// answering for a known server does not move it at once: the old MAC is asked first, and only if
// it stays silent does the new one take over (both answering is a conflict, logged). A frame that
// merely claims another MAC for a server (its own ARP request after a NIC switch, a gratuitous
// ARP) teaches nothing but starts that check at once, with quick probes, so a real move is followed
// in under a second and a forged one costs a few probes. Static neighbours are never asked about.
import type { Logger } from 'pino';
import { Clock } from '../common/clock';
import { type Family, canonicalAddress } from '../config/address';
import { arpRequestFrame } from './arp_codec';
import { BROADCAST_MAC, ETHERTYPE_IPV6, encodeEthernet } from './ethernet';
import { ND_NEIGHBOR_SOLICIT, UNSPECIFIED_ADDRESS, icmpv6Packet, multicastMac, solicitedNodeAddress } from './nd_codec';
import { InterfaceAddresses, ipv4SourceFor, ipv6SourceFor } from './source_address';

export interface ResolverTiming {
  /** First retry delay for an unresolved address; doubles on each retry... */
  retryMinMs: number;
  /** ...up to this. */
  retryMaxMs: number;
  /** A resolved MAC is re-confirmed this long after it was last heard from. */
  reconfirmIntervalMs: number;
  /** Gap between the probes of one re-confirmation. */
  probeIntervalMs: number;
  /** Unanswered probes in a row after which the MAC is given up as unknown. */
  reconfirmLimit: number;
  /** Gap between the probes while another MAC claims the server. */
  doubtProbeMs: number;
  /** A claim starts a check at most this often per server, whatever a flood of them does. */
  doubtHoldMs: number;
}

export const DEFAULT_TIMING: ResolverTiming = {
  retryMinMs: 1000,
  retryMaxMs: 4000,
  reconfirmIntervalMs: 30_000,
  probeIntervalMs: 1000,
  reconfirmLimit: 3,
  doubtProbeMs: 250,
  doubtHoldMs: 1000,
};

export interface ResolverDeps {
  clock: Clock;
  logger: Logger;
  ownMac(): string;
  /** The interface's own addresses, read once per round so address changes are followed. */
  interfaceAddresses(): InterfaceAddresses;
  send(frame: Buffer): void;
  setNeighbour(address: string, mac: string | null): void;
}

interface Neighbour {
  /** As the caller spelt it: the fast path knows the real server by this text. */
  address: string;
  family: Family;
  mac: string | null;
  dueAt: number;
  retryMs: number;
  unanswered: number;
  /** When we last asked (clock ms); answers later than the answer window are not ours. */
  askedAt: number | null;
  /** Another MAC answered for this server: it takes over only if the known one stays silent. */
  candidate: string | null;
  /** Configured, never asked about, never changed by a frame. */
  fixed: boolean;
  /** Another MAC claims the server: the known one is probed quickly until it answers or is given up. */
  doubting: boolean;
  /** When a claim last started a check (clock ms). */
  doubtedAt: number | null;
}

/** A static neighbour (director.staticNeighbours). */
export interface StaticNeighbour {
  address: string;
  mac: string;
}

export class Resolver {
  private readonly neighbours = new Map<string, Neighbour>();
  private timer: unknown = null;
  private closed = false;

  constructor(private readonly deps: ResolverDeps, private readonly timing: ResolverTiming = DEFAULT_TIMING) {}

  /**
   * Addresses must already be valid; new ones are asked for at once. A static neighbour's MAC is
   * given to the fast path as it is, and no frame changes it.
   */
  setAddresses(addresses: readonly string[], statics: readonly StaticNeighbour[] = []): void {
    const now = this.deps.clock.now();
    const wanted = new Map<string, { address: string; family: Family; mac: string | null }>();
    const fixed = new Map(statics.map((n) => [canonicalAddress(n.address).address, n.mac]));
    for (const address of addresses) {
      const { family, address: key } = canonicalAddress(address);
      wanted.set(key, { address, family, mac: fixed.get(key) ?? null });
    }
    // A removed real server keeps its MAC in the fast path on purpose: its existing connections
    // continue until they expire, and they still need somewhere to go.
    for (const key of [...this.neighbours.keys()]) if (!wanted.has(key)) this.neighbours.delete(key);
    for (const [key, { address, family, mac }] of wanted) {
      const existing = this.neighbours.get(key);
      if (mac !== null) {
        if (existing?.fixed !== true || existing.mac !== mac) this.deps.setNeighbour(address, mac);
        this.neighbours.set(key, {
          address, family, mac, dueAt: Infinity, retryMs: 0, unanswered: 0, askedAt: null, candidate: null, fixed: true,
          doubting: false, doubtedAt: null,
        });
      } else if (existing && !existing.fixed) {
        existing.address = address;
      } else {
        this.neighbours.set(key, {
          address, family, mac: null, dueAt: now, retryMs: this.timing.retryMinMs, unanswered: 0,
          askedAt: null, candidate: null, fixed: false, doubting: false, doubtedAt: null,
        });
      }
    }
    this.run();
  }

  /**
   * An answer to a request of ours says `mac` holds `address` (canonical text). Unknown addresses,
   * static ones and answers we did not ask for (or asked too long ago) are ignored. Says whether
   * it was taken as an answer.
   */
  observe(address: string, mac: string): boolean {
    const n = this.neighbours.get(address);
    if (!n || this.closed || n.fixed) return false;
    const now = this.deps.clock.now();
    if (n.askedAt === null || now - n.askedAt > this.answerWindowMs()) {
      this.deps.logger.debug({ realServer: n.address, mac }, 'ignored an ARP/neighbor answer we did not ask for');
      return false;
    }
    if (n.mac !== null && n.mac !== mac) {
      // Ask the MAC we know before believing another: a forged reply must not move the server.
      if (n.candidate !== mac) {
        n.candidate = mac;
        this.deps.logger.info({ realServer: n.address, mac: n.mac, other: mac },
          'another MAC answers for a real server; asking the known one first');
        if (!n.doubting) {
          n.doubting = true;
          n.dueAt = now;
          this.run();
        }
      }
      return true;
    }
    if (n.mac !== null && n.candidate !== null) {
      this.deps.logger.warn({ realServer: n.address, mac: n.mac, other: n.candidate },
        'two MACs answer for one real server; keeping the one it had');
      n.candidate = null;
    }
    n.unanswered = 0;
    n.retryMs = this.timing.retryMinMs;
    n.dueAt = now + this.timing.reconfirmIntervalMs;
    n.askedAt = null;
    n.doubting = false;
    if (n.mac !== mac) {
      n.mac = mac;
      this.deps.setNeighbour(n.address, mac);
      this.deps.logger.info({ realServer: n.address, oldMac: null, newMac: mac }, 'real server MAC resolved');
    }
    this.schedule();
    return true;
  }

  /**
   * A frame claims `mac` holds `address` (canonical text) without answering us. When that is not
   * the MAC we use, ask at once: a broadcast request that the claimant answers (as a candidate),
   * and quick probes of the known MAC, which keeps the server if it answers.
   */
  doubt(address: string, mac: string): void {
    const n = this.neighbours.get(address);
    if (!n || this.closed || n.fixed || n.mac === mac || n.doubting) return;
    const now = this.deps.clock.now();
    if (n.doubtedAt !== null && now - n.doubtedAt < this.timing.doubtHoldMs) return;
    n.doubtedAt = now;
    this.deps.logger.debug({ realServer: n.address, mac: n.mac, other: mac }, 'a frame claims another MAC for a real server; asking');
    if (n.mac === null) {
      n.dueAt = now;
      n.retryMs = this.timing.retryMinMs;
      this.run();
      return;
    }
    n.doubting = true;
    n.askedAt = now;
    this.solicit(address, n.family, null, this.deps.interfaceAddresses());
    n.dueAt = now;
    this.run();
  }

  /** How long after a request an answer counts as one. */
  private answerWindowMs(): number {
    return Math.max(this.timing.retryMaxMs, this.timing.probeIntervalMs * this.timing.reconfirmLimit);
  }

  /**
   * Ask about every real server again now (the active link changed, link/): the MACs known stay in
   * use meanwhile, and an answer from another MAC on the new link replaces them.
   */
  recheck(): void {
    const now = this.deps.clock.now();
    for (const n of this.neighbours.values()) {
      if (n.fixed) continue;
      n.dueAt = now;
      n.retryMs = this.timing.retryMinMs;
    }
    this.run();
  }

  close(): void {
    this.closed = true;
    this.cancel();
    this.neighbours.clear();
  }

  private run(): void {
    if (this.closed) return;
    this.cancel();
    const now = this.deps.clock.now();
    let addresses: InterfaceAddresses | null = null;
    for (const [key, n] of this.neighbours) {
      if (n.dueAt > now) continue;
      addresses ??= this.deps.interfaceAddresses();
      this.step(key, n, now, addresses);
    }
    this.schedule();
  }

  private step(key: string, n: Neighbour, now: number, addresses: InterfaceAddresses): void {
    if (n.fixed) {
      n.dueAt = Infinity;
      return;
    }
    if (n.mac !== null && n.unanswered >= this.timing.reconfirmLimit) {
      if (n.candidate !== null) {
        // The known MAC is silent and another answered: the server moved (a NIC swapped).
        this.deps.logger.info({ realServer: n.address, oldMac: n.mac, newMac: n.candidate },
          'real server MAC changed');
        n.mac = n.candidate;
        n.candidate = null;
        n.doubting = false;
        n.unanswered = 0;
        n.askedAt = null;
        n.dueAt = now + this.timing.reconfirmIntervalMs;
        this.deps.setNeighbour(n.address, n.mac);
        return;
      }
      this.deps.logger.warn(
        { realServer: n.address, mac: n.mac, probes: n.unanswered },
        'real server stopped answering ARP/neighbor solicitations; its MAC is unknown again',
      );
      n.mac = null;
      n.unanswered = 0;
      n.doubting = false;
      n.retryMs = this.timing.retryMinMs;
      this.deps.setNeighbour(n.address, null);
    }
    n.askedAt = now;
    if (n.mac === null) {
      this.solicit(key, n.family, null, addresses);
      n.dueAt = now + n.retryMs;
      n.retryMs = Math.min(n.retryMs * 2, this.timing.retryMaxMs);
      return;
    }
    // Re-confirm by unicast to the MAC we believe, as Linux's NUD probes do.
    this.solicit(key, n.family, n.mac, addresses);
    n.unanswered++;
    n.dueAt = now + (n.doubting ? this.timing.doubtProbeMs : this.timing.probeIntervalMs);
  }

  private solicit(target: string, family: Family, knownMac: string | null, addresses: InterfaceAddresses): void {
    const mac = this.deps.ownMac();
    if (family === 4) {
      this.deps.send(arpRequestFrame(mac, ipv4SourceFor(target, addresses), target, knownMac ?? BROADCAST_MAC));
      return;
    }
    const source = ipv6SourceFor(target, addresses);
    // From :: a solicitation may only go to the solicited-node group (RFC 4861 7.2.2).
    const unicast = knownMac !== null && source !== UNSPECIFIED_ADDRESS;
    const destination = unicast ? target : solicitedNodeAddress(target);
    const packet = icmpv6Packet(source, destination, {
      type: ND_NEIGHBOR_SOLICIT, code: 0, targetAddress: target,
      // RFC 4861 7.2.2: never with the unspecified source.
      ...(source === UNSPECIFIED_ADDRESS ? {} : { sourceLinkLayerAddress: mac }),
    });
    this.deps.send(encodeEthernet(
      { destination: unicast ? knownMac : multicastMac(destination), source: mac, etherType: ETHERTYPE_IPV6 },
      packet,
    ));
  }

  private schedule(): void {
    if (this.closed) return;
    this.cancel();
    let next = Infinity;
    for (const n of this.neighbours.values()) next = Math.min(next, n.dueAt);
    if (next === Infinity) return;
    const delay = Math.max(0, next - this.deps.clock.now());
    this.timer = this.deps.clock.setTimeout(() => { this.timer = null; this.run(); }, delay);
  }

  private cancel(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
