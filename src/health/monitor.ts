// Keeps one runner per checked real server in step with the configuration, and turns what the
// runners see into the director's actions: quiescent or removed on Down, configured weight back
// on Up, dynamic weights, notify hooks and per-service quorum.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { keyText } from '../config/items';
import type { Config, HealthCheck, RealServer, VirtualService, VirtualServiceKey } from '../config/model';
import type { ListResult } from '../control/protocol';
import type { RealAvailability, RealTarget } from '../control/weights';
import type { Checker, CheckTarget } from './checker';
import { createChecker } from './create';
import type { Transition } from './fsm';
import type { RunCommand } from './notify';
import { hasQuorum } from './quorum';
import { HealthRunner } from './runner';
import type { HealthState } from './state';

/** What the monitor drives (the Director satisfies it). */
export interface HealthSink {
  setAvailability(source: 'health', target: RealTarget, availability: RealAvailability): void;
  setHealthWeight(target: { service: VirtualServiceKey; address: string; port: number }, weight: number | null): void;
}

export interface MonitorOptions {
  sink: HealthSink;
  logger: Logger;
  runCommand: RunCommand;
  random?: () => number;
  /** Tests pass their own checkers; pivsd uses the real ones. */
  createChecker?: (spec: HealthCheck['checks'][number], real: CheckTarget, service: VirtualService) => Checker;
}

interface Watched {
  service: VirtualServiceKey;
  real: RealServer;
  check: HealthCheck;
  /** What started this runner; a different one restarts it. */
  signature: unknown;
  runner: HealthRunner;
}

interface ServiceQuorum {
  signature: unknown;
  has: boolean;
}

function serviceKeyText(k: VirtualServiceKey): string {
  return `${k.protocol}|${k.address}|${k.port}`;
}

function watchKey(k: VirtualServiceKey, real: { address: string; port: number }): string {
  return `${serviceKeyText(k)}|${real.address}|${real.port}`;
}

export class HealthMonitor {
  private readonly watched = new Map<string, Watched>();
  private readonly quorums = new Map<string, ServiceQuorum>();
  private services: VirtualService[] = [];
  private stopped = false;

  constructor(private readonly opts: MonitorOptions) {}

  /** Starts, restarts and stops runners so they match `config`; called after every change. */
  update(config: Config): void {
    if (this.stopped) return;
    this.services = config.virtualServices;
    const wanted = new Set<string>();
    for (const service of config.virtualServices) {
      const key: VirtualServiceKey = { protocol: service.protocol, address: service.address, port: service.port };
      for (const real of service.realServers) {
        // pivsadm-added real servers have no check of their own: they get the service's.
        const check = real.healthCheck ?? service.healthCheck;
        if (check === undefined || check.checks.length === 0) continue;
        const k = watchKey(key, real);
        wanted.add(k);
        const signature = { check, protocol: service.protocol };
        const old = this.watched.get(k);
        if (old !== undefined && isDeepStrictEqual(old.signature, signature)) {
          old.real = real;
          continue;
        }
        if (old !== undefined) this.forget(k, old);
        this.watch(k, key, service, real, check, signature);
      }
    }
    for (const [k, w] of this.watched) if (!wanted.has(k)) this.forget(k, w);
    this.updateQuorums();
  }

  /** The health fields of the list result (the director calls it for every list). */
  annotate(list: ListResult): void {
    for (const vs of list.virtualServices) {
      for (const real of vs.realServers) {
        const w = this.watched.get(watchKey(vs, real));
        if (w !== undefined && real.fallback !== true) real.health = w.runner.state();
      }
    }
  }

  state(service: VirtualServiceKey, real: { address: string; port: number }): HealthState | undefined {
    return this.watched.get(watchKey(service, real))?.runner.state();
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watched.values()) w.runner.stop();
    this.watched.clear();
  }

  private watch(
    k: string, service: VirtualServiceKey, vs: VirtualService, real: RealServer, check: HealthCheck, signature: unknown,
  ): void {
    const make = this.opts.createChecker ?? ((spec, target, s) => createChecker(spec, target, s.protocol));
    const checkers = check.checks.map((spec) => make(spec, { address: real.address, port: real.port }, vs));
    const target = { service, address: real.address, port: real.port };
    const runner = new HealthRunner({
      check,
      checkers,
      random: this.opts.random,
      events: {
        transition: (t, result) => this.safely(() => this.onTransition(k, t, result.message)),
        weight: (weight) => this.safely(() => {
          this.opts.sink.setHealthWeight(target, weight);
          this.updateQuorums();
        }),
      },
    });
    this.watched.set(k, { service, real, check, signature, runner });
    // With alpha a real server starts Down: out of new scheduling until `rise` successes.
    this.opts.sink.setAvailability('health', target, check.alpha ? downAvailability(check) : 'up');
    runner.start();
  }

  /** A table the dataplane refuses must not stop the checks (nor pivsd): log it, keep going. */
  private safely(action: () => void): void {
    try {
      action();
    } catch (e) {
      this.opts.logger.error({ err: e }, 'health: applying a check result failed');
    }
  }

  private forget(k: string, w: Watched): void {
    w.runner.stop();
    this.watched.delete(k);
    const target = { service: w.service, address: w.real.address, port: w.real.port };
    this.opts.sink.setAvailability('health', target, 'up');
    this.opts.sink.setHealthWeight(target, null);
  }

  private onTransition(k: string, t: Transition, message: string): void {
    const w = this.watched.get(k);
    if (w === undefined) return;
    const target = { service: w.service, address: w.real.address, port: w.real.port };
    const availability = t.to === 'up' ? 'up' : downAvailability(w.check);
    this.opts.logger.info({ service: keyText(w.service), real: w.real.address, from: t.from, to: t.to, message },
      `health: real server ${w.real.address} is ${t.to}`);
    this.opts.sink.setAvailability('health', target, availability);
    // A notify fires when serving changes: not for the first success of a server already serving.
    const wasServing = t.from === 'up' || (t.from === 'unknown' && !w.check.alpha);
    if (wasServing !== (t.to === 'up')) {
      const argv = t.to === 'up' ? w.check.notifyUp : w.check.notifyDown;
      if (argv !== undefined) {
        this.opts.runCommand(argv, {
          PIVS_EVENT: t.to, PIVS_SERVICE: keyText(w.service), PIVS_REAL_ADDRESS: w.real.address,
          PIVS_REAL_PORT: String(w.real.port), PIVS_MESSAGE: message,
        });
      }
    }
    this.updateQuorums();
  }

  private updateQuorums(): void {
    const seen = new Set<string>();
    for (const service of this.services) {
      const q = service.quorum;
      if (q === undefined) continue;
      const sk = serviceKeyText(service);
      seen.add(sk);
      let entry = this.quorums.get(sk);
      if (entry === undefined || !isDeepStrictEqual(entry.signature, q)) {
        entry = { signature: q, has: true };
        this.quorums.set(sk, entry);
      }
      const total = service.realServers.reduce((sum, real) => {
        const w = this.watched.get(watchKey(service, real));
        if (w === undefined) return sum + real.weight;
        return w.runner.serving ? sum + (w.runner.weight ?? real.weight) : sum;
      }, 0);
      const has = hasQuorum(entry.has, total, q);
      if (has === entry.has) continue;
      entry.has = has;
      this.opts.logger.info({ service: keyText(service), totalWeight: total, quorum: q.weight },
        `health: ${keyText(service)} ${has ? 'gained' : 'lost'} its quorum`);
      const argv = has ? q.up : q.down;
      if (argv !== undefined) {
        this.opts.runCommand(argv, {
          PIVS_EVENT: has ? 'quorumUp' : 'quorumDown', PIVS_SERVICE: keyText(service), PIVS_TOTAL_WEIGHT: String(total),
        });
      }
    }
    for (const sk of [...this.quorums.keys()]) if (!seen.has(sk)) this.quorums.delete(sk);
  }
}

function downAvailability(check: HealthCheck): RealAvailability {
  return check.quiescent ? 'quiescent' : 'removed';
}
