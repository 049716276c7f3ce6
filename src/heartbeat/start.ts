// pivsd's heartbeat wiring: the service when the config has a `heartbeat:` section.
import type { Reservation } from '../common/sequence';
import { haName } from '../config/ha_section';
import type { Config } from '../config/model';
import { heartbeatServiceOptions } from './options';
import { HeartbeatService, type HeartbeatLogger } from './service';

/**
 * `fault`: this director has every link down (link/ allDown()); its heartbeats then say FAULT.
 * `sequences`: where the links' sequence numbers come from (sequenceReservation()).
 */
export async function startHeartbeat(
  config: Config, deps: { logger: HeartbeatLogger; fault?: () => boolean; sequences?: Reservation },
): Promise<HeartbeatService | null> {
  if (config.heartbeat === undefined) return null;
  const service = new HeartbeatService(heartbeatServiceOptions(config.heartbeat, { name: haName(config), ...deps }));
  try {
    await service.start();
  } catch (e) {
    service.close();
    throw new Error(`heartbeat: could not bind port ${config.heartbeat.port} on every link's localAddress (${e instanceof Error ? e.message : String(e)})`);
  }
  return service;
}
