// pivsd's heartbeat wiring: the service when the config has a `heartbeat:` section.
import type { Config } from '../config/model';
import { haName } from '../sync/start';
import { heartbeatServiceOptions } from './options';
import { HeartbeatService, type HeartbeatLogger } from './service';

export async function startHeartbeat(config: Config, deps: { logger: HeartbeatLogger }): Promise<HeartbeatService | null> {
  if (config.heartbeat === undefined) return null;
  const service = new HeartbeatService(heartbeatServiceOptions(config.heartbeat, { name: haName(config), logger: deps.logger }));
  try {
    await service.start();
  } catch (e) {
    service.close();
    throw new Error(`heartbeat: could not bind port ${config.heartbeat.port} on every link's localAddress (${e instanceof Error ? e.message : String(e)})`);
  }
  return service;
}
