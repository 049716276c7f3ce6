// From the validated `heartbeat:` section to HeartbeatServiceOptions.
import type { Reservation } from '../common/sequence';
import type { HeartbeatSettings } from '../config/model';
import type { HeartbeatLogger, HeartbeatServiceOptions } from './service';

export function heartbeatServiceOptions(
  settings: HeartbeatSettings, deps: { name: string; logger?: HeartbeatLogger; fault?: () => boolean; sequences?: Reservation },
): HeartbeatServiceOptions {
  return {
    name: deps.name,
    links: settings.links.map((l) => ({ name: l.name, localAddress: l.localAddress })),
    peers: settings.peers.map((p) => ({ name: p.name, addresses: [...p.addresses] })),
    key: Buffer.from(settings.key, 'utf8'),
    port: settings.port,
    intervalMs: settings.intervalMs,
    deadIntervals: settings.deadIntervals,
    logger: deps.logger,
    fault: deps.fault,
    ...(deps.sequences === undefined ? {} : { sequences: deps.sequences }),
  };
}
