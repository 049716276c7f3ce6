// Starting and stopping the daemon's parts in order. main.ts passes in the real dataplane and
// ARP; tests can pass fakes.
import type { Logger } from 'pino';
import { loadConfigFile, parseConfig, type Config, type ValidateOptions } from '../config';
import { DEFAULT_STATUS } from '../config/model';
import { Director, type AddressListener } from '../control/director';
import { handleRequest } from '../control/dispatch';
import { startControlServer, type ControlServer } from '../control/server';
import { resolveSocketPath } from '../control/socket-path';
import type { Dataplane, DataplaneOptions } from '../dataplane/types';
import { daemonSources, linkStatus, startTime, vrrpStatus, type StatusServer, type StatusServerOptions } from '../status';
import type { DaemonOptions } from './options';
// HA transport (issue 3, sync/heartbeat): see the block after director.startRates().
import { startAgentListener } from '../agent/listener';
import type { AgentReceiver } from '../agent/receiver';
import { HealthMonitor, notifier } from '../health';
import { startHeartbeat, type HeartbeatService } from '../heartbeat';
import { startLinks, ipAddressMover, type LinkService, type LinkFollower, type LinkServiceOptions } from '../link';
import { startSync, type SyncService } from '../sync';
import { startVrrp, type VrrpService, type VirtualMacListener } from '../vrrp';
import { reloadConfig, type ReloadOutcome } from './reload';
import { sequenceReservation } from './sequences';

export type ArpListener = AddressListener & LinkFollower & Partial<VirtualMacListener> & { close(): void };

export interface DaemonDeps {
  openDataplane(options: DataplaneOptions): Dataplane;
  /** What pivsd gives the ARP service: addresses from control/, the interface from link/, virtual MACs from VRRP. */
  startArp(opts: { dataplane: Dataplane; interface: string; logger: Logger }): ArpListener;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** The HTTP status server (status/); absent: none, whatever the config says (tests). */
  startStatus?(opts: StatusServerOptions): Promise<StatusServer>;
  /** Link events for director.links (link/); default: rtnetlink through `ip monitor link`. */
  linkSource?: LinkServiceOptions['source'];
}

export interface Daemon {
  readonly director: Director;
  readonly socket: string;
  /** Connection sync (null without a `sync:` section); counters() for status surfaces. */
  readonly sync: SyncService | null;
  /** Peer liveness (null without a `heartbeat:` section); peers() for status surfaces. */
  readonly heartbeat: HeartbeatService | null;
  /** The VRRP election (null without a `vrrp:` section); states() for status surfaces. */
  readonly vrrp: VrrpService | null;
  /** Ethernet redundancy (null without director.links); status() for status surfaces. */
  readonly links: LinkService | null;
  /** Re-reads the config file (no-op success without --config). */
  reload(): ReloadOutcome;
  stop(): Promise<void>;
}

export async function startDaemon(opts: DaemonOptions, deps: DaemonDeps): Promise<Daemon> {
  const { logger } = deps;
  const startedAt = startTime();
  const overrides: ValidateOptions = {};
  if (opts.interface !== undefined) overrides.interface = opts.interface;
  if (opts.workers !== undefined) overrides.workers = opts.workers;
  if (opts.dataplane !== undefined) overrides.dataplane = opts.dataplane;
  const config: Config = opts.config === undefined ? parseConfig('', overrides) : loadConfigFile(opts.config, overrides);
  const { director: settings } = config;
  const dataplane = deps.openDataplane({
    interface: settings.interface, workers: settings.workers, backend: settings.dataplane,
    connTableSize: settings.connTableSize, mhTableSize: settings.mhTableSize,
  });
  const undo: (() => void)[] = [() => dataplane.close()];
  const running = dataplane.backend();
  if (running.fallback !== '') {
    logger.warn({ interface: settings.interface, reason: running.fallback }, `AF_XDP is not available (${running.fallback}); forwarding with AF_PACKET`);
  }
  try {
    const arp = deps.startArp({ dataplane, interface: settings.interface, logger });
    undo.unshift(() => arp.close());
    const director = new Director({ config, dataplane, arp, logger });
    undo.unshift(() => director.close());
    director.startRates();
    // Health checks (issue 4): the runners follow every change of the model (file, reload, pivsadm).
    const healthLogger = logger.child({ module: 'health' });
    const health = new HealthMonitor({ sink: director, logger: healthLogger, runCommand: notifier(healthLogger) });
    undo.unshift(() => health.stop());
    director.addListAnnotator((list) => health.annotate(list));
    health.update(director.config);
    let agentReceiver: AgentReceiver | null = null;
    if (config.agent !== undefined) {
      // Agent settings (port, key, timeout) are read at start only, like director settings.
      const agent = await startAgentListener({
        settings: config.agent, director, dataplane, logger, services: () => director.config.virtualServices,
      });
      agentReceiver = agent.receiver;
      undo.unshift(() => void agent.close());
      director.addListAnnotator((list) => agent.receiver.annotate(list));
    }
    // Ethernet redundancy (issue 5): before heartbeat/sync/VRRP, so a start on the backup link
    // has moved the addresses they bind to, and VRRP hears of a fault.
    let links: LinkService | null = null;
    if (settings.links !== undefined && settings.links.length > 1) {
      links = await startLinks({
        links: settings.links.map((l) => l.interface), holdDownMs: settings.holdDownMs ?? 5000,
        dataplane, openedOn: settings.interface, logger, source: deps.linkSource,
        followers: arp.setInterface === undefined ? [] : [arp],
        addresses: ipAddressMover,
      });
      const started = links;
      undo.unshift(() => started.close());
    }
    // --- HA transport (issue 3): heartbeat and sync start before VRRP, which is handed
    // heartbeat (isPeerAlive) and sync (mayBecomeMaster, the bulk-resync gate). ---
    // One sequence mark on disk for both, so a restart with the clock behind is still accepted.
    const sequences = sequenceReservation(config, logger.child({ module: 'sequence' }));
    const heartbeat = await startHeartbeat(config, {
      logger: logger.child({ module: 'heartbeat' }), fault: () => links?.allDown() ?? false, sequences,
    });
    if (heartbeat !== null) undo.unshift(() => heartbeat.close());
    const sync = await startSync(config, { dataplane, director, logger: logger.child({ module: 'sync' }), sequences });
    if (sync !== null) undo.unshift(() => sync.close());
    // --- end HA transport ---
    // VRRP (issue 3): the election decides which virtual addresses this director answers and forwards for.
    let vrrp: VrrpService | null = null;
    if (config.vrrp !== undefined && config.vrrp.instances.length > 0) {
      vrrp = startVrrp({
        config: config.vrrp, dataplane, logger,
        arp: { setVirtualMacs: (m) => arp.setVirtualMacs?.(m) },
        heartbeat: heartbeat ?? undefined, gate: sync ?? undefined,
        links: links ?? undefined,
      });
      undo.unshift(() => void vrrp?.close());
    }
    // Status server (issue 6), before the control socket: a port in use stops the start cleanly.
    const statusSettings = config.status ?? DEFAULT_STATUS;
    let status: StatusServer | null = null;
    if (deps.startStatus !== undefined && statusSettings.listen !== false) {
      const running = vrrp;
      const redundancy = links;
      const receiver = agentReceiver;
      status = await deps.startStatus({
        listen: statusSettings.listen, auth: statusSettings.auth, logger,
        sources: daemonSources(director, dataplane, startedAt, {
          vrrp: running === null ? undefined : () => vrrpStatus(running.states()),
          peers: heartbeat === null ? undefined : () => heartbeat.peers(),
          sync: sync === null ? undefined : () => ({ ...sync.counters(), recordsRefused: sync.recordCounters() }),
          heartbeat: heartbeat === null ? undefined : () => heartbeat.counters(),
          agent: receiver === null ? undefined : () => ({ refused: { ...receiver.refused } }),
          links: redundancy === null ? undefined : () => linkStatus(redundancy.status()),
        }),
      });
      const started = status;
      undo.unshift(() => void started.close());
    }
    // SNMP (issue 6): AgentX subagent and/or standalone agent, both reading the same state.
    if (config.snmp !== undefined) {
      const election = vrrp;
      // Loaded only when configured: net-snmp is the largest module pivsd could load.
      const { startSnmp } = await import('../snmp');
      const { daemonSnmpSources } = await import('../snmp/daemon_sources');
      const snmp = await startSnmp(config.snmp, daemonSnmpSources(director, {
        vrrp: election === null ? undefined : () => election.states(),
        sync: sync === null ? undefined : () => sync.counters(),
        alivePeers: heartbeat === null ? undefined : () => heartbeat.peers().filter((p) => p.alive).length,
      }), logger.child({ module: 'snmp' }));
      undo.unshift(() => void snmp.close());
    }
    const socket = resolveSocketPath(opts.socket, deps.env ?? process.env);
    const server: ControlServer = await startControlServer({
      path: socket, logger, handle: (request) => {
        // The links query (link/) is answered here: control/ knows only the director's table.
        const id = linksQueryId(request);
        if (id !== undefined) return { id, result: links === null ? null : links.status() };
        const response = handleRequest(director, request);
        health.update(director.config);
        return response;
      },
    });
    logger.info({ interface: settings.interface, workers: settings.workers, dataplane: running.backend, xdpMode: running.xdpMode || undefined, config: opts.config ?? null,
      virtualServices: config.virtualServices.length }, 'pivsd started');
    return {
      director,
      socket,
      sync,
      heartbeat,
      vrrp,
      links,
      reload: () => {
        const outcome = opts.config === undefined ? { ok: true as const } : reloadConfig(director, opts.config, overrides, logger);
        health.update(director.config);
        return outcome;
      },
      stop: async () => {
        // Before anything else stops: the priority-0 adverts hand the addresses over at once
        // (closing the servers may wait for their clients).
        await vrrp?.close();
        await server.close();
        await status?.close();
        for (const step of undo) step();
        logger.info('pivsd stopped');
      },
    };
  } catch (e) {
    for (const step of undo) step();
    throw e;
  }
}

/** The id of a `links` query, which pivsd answers itself; undefined for any other request. */
function linksQueryId(request: unknown): number | undefined {
  if (typeof request !== 'object' || request === null || !('method' in request) || !('id' in request)) return undefined;
  return request.method === 'links' && typeof request.id === 'number' ? request.id : undefined;
}
