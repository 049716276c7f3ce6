// The UDP socket and timer around AgentReceiver (pivsd's `agent:` section).
import dgram from 'node:dgram';
import type { Logger } from 'pino';
import { onDoubling } from '../common/rejection_log';
import { familyOf } from '../config/address';
import { AgentReceiver, type AgentReceiverDeps } from './receiver';

export interface AgentListener {
  readonly receiver: AgentReceiver;
  close(): Promise<void>;
}

export async function startAgentListener(deps: AgentReceiverDeps & { logger: Logger }): Promise<AgentListener> {
  const receiver = new AgentReceiver(deps);
  const { listen, port, timeoutMs } = deps.settings;
  const socket = dgram.createSocket({ type: familyOf(listen) === 6 ? 'udp6' : 'udp4', reuseAddr: true });
  let failed = 0;
  socket.on('message', (message, rinfo) => {
    try {
      receiver.handle(message, rinfo.address);
    } catch (err) {
      // A bug on some path through handle() must cost one report, not the daemon; said at warn
      // on the 1st, 2nd, 4th... time so that a flood of them cannot flood the log.
      failed++;
      const level = onDoubling(failed) ? 'warn' : 'debug';
      deps.logger[level]({ err, from: `${rinfo.address}:${rinfo.port}`, length: message.length, times: failed }, 'agent: handling a report failed; dropped it');
    }
  });
  socket.on('error', (err) => deps.logger.warn({ err }, 'agent socket error'));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, listen, () => {
      socket.off('error', reject);
      resolve();
    });
  }).catch((e: unknown) => {
    socket.close();
    throw new Error(`cannot listen for agent reports on ${listen} port ${port} (${(e as Error).message})`);
  });
  // Four ticks per timeout: a silent agent is acted on within 1.25 x timeoutMs.
  const timer = setInterval(() => receiver.tick(), Math.max(50, Math.floor(timeoutMs / 4)));
  timer.unref();
  deps.logger.info({ listen, port, timeoutMs }, 'listening for agent reports');
  return {
    receiver,
    close: () => new Promise<void>((resolve) => {
      clearInterval(timer);
      socket.close(() => resolve());
    }),
  };
}
