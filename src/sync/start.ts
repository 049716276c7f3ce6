// pivsd's sync wiring: the service when the config has a `sync:` section, started and resynced
// in the background (VRRP's gate holds mastership until the resync is done).
import os from 'node:os';
import type { Config } from '../config/model';
import { directorName } from '../config/ha_section';
import type { Dataplane } from '../dataplane/types';
import { syncServiceOptions } from './options';
import { SyncService, type SyncLogger } from './service';

/** The name this director signs sync and heartbeat datagrams with. */
export function haName(config: Config): string {
  return directorName(config.director.name, os.hostname());
}

export async function startSync(config: Config, deps: { dataplane: Dataplane; logger: SyncLogger }): Promise<SyncService | null> {
  if (config.sync === undefined) return null;
  const service = new SyncService(syncServiceOptions(config.sync, { dataplane: deps.dataplane, name: haName(config), logger: deps.logger }));
  try {
    await service.start();
  } catch (e) {
    service.close();
    throw new Error(`sync: could not start on port ${config.sync.port} (${e instanceof Error ? e.message : String(e)})`);
  }
  return service;
}
