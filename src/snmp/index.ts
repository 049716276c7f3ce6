// SNMP for pivsd: the standalone agent and/or the AgentX subagent, both serving the VRRPv3-MIB
// and PIVS-MIB from one view, and the notifications a change in state calls for.
import type { Logger } from 'pino';
import type { SnmpSettings } from '../config/model';
import { startAgent, type RunningAgent } from './agent';
import { notificationsBetween, type Notification } from './notifications';
import type { Snapshot } from './snapshot';
import type { SnmpSources } from './sources';
import { startSubagent, type RunningSubagent } from './subagent';
import { sendToTargets } from './traps';
import { MibView, type ViewOptions } from './view';

export type { SnmpSources, RealServerExtras, VrrpInstanceView, SyncCountersView, LinkView } from './sources';
export { PIVS_MIB, VRRPV3_MIB } from './oids';

export interface SnmpOptions extends ViewOptions {
  /** How often state is compared for notifications (default 1 s). */
  pollMs?: number;
  /** AgentX reconnect delay (default 5 s). */
  retryMs?: number;
}

export interface SnmpService {
  /** The standalone agent's UDP port, when it runs. */
  readonly port: number | null;
  readonly subagent: RunningSubagent | null;
  /** Compares the state with the last poll now and sends what changed (the timer does the same). */
  poll(): void;
  close(): Promise<void>;
}

export async function startSnmp(settings: SnmpSettings, sources: SnmpSources, logger: Logger, options: SnmpOptions = {}): Promise<SnmpService> {
  const view = new MibView(sources, options);
  let agent: RunningAgent | null = null;
  if (settings.listen !== undefined) {
    const agentOptions = { host: settings.listen.host, port: settings.listen.port, users: settings.users, view, logger };
    agent = await startAgent(settings.community === undefined ? agentOptions : { ...agentOptions, community: settings.community });
  }
  const subagent = settings.agentx === undefined ? null
    : startSubagent({ socket: settings.agentx.socket, view, logger, ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }) });

  const send = (n: Notification) => {
    logger.info({ notification: n.oid }, 'snmp: sending notification');
    subagent?.notify(n);
    sendToTargets(n, settings.trapTargets, settings.users, logger);
  };
  let previous: Snapshot | null = null;
  const poll = () => {
    try {
      const next = view.fresh();
      if (previous !== null) for (const n of notificationsBetween(previous, next)) send(n);
      previous = next;
    } catch (e) {
      logger.error({ err: e }, 'snmp: reading the state for notifications failed');
    }
  };
  poll();
  const timer = setInterval(poll, options.pollMs ?? 1000);
  timer.unref();

  return {
    port: agent?.port ?? null,
    subagent,
    poll,
    close: async () => {
      clearInterval(timer);
      subagent?.close();
      await agent?.close();
    },
  };
}
