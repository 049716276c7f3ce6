// pivsd's sync wiring: the service when the config has a `sync:` section, started and resynced
// in the background (VRRP's gate holds mastership until the resync is done).
import type { Reservation } from '../common/sequence';
import { haName } from '../config/ha_section';
import type { Config, Timeouts, VirtualService } from '../config/model';
import type { Dataplane } from '../dataplane/types';
import type { SyncLimits } from './admission';
import { syncServiceOptions } from './options';
import { SyncService, type SyncLogger } from './service';

/** What the admission rules read of the running director (control/'s Director has both). */
export interface LimitSource {
  timeouts(): Timeouts;
  effectiveServices(): VirtualService[];
}

/** The limits of the running table, so reloads and `pivsadm --set` move them too. */
export function directorLimits(director: LimitSource): SyncLimits {
  return {
    timeouts: () => director.timeouts(),
    persistenceTimeout: (protocol, address, port) => {
      const services = director.effectiveServices().filter((s) => s.protocol === protocol && s.address === address);
      // As the addon matches: the service on that port, else a port-0 (any port) one.
      const s = services.find((v) => v.port === port) ?? services.find((v) => v.port === 0);
      return s?.persistence?.timeout ?? null;
    },
  };
}

export async function startSync(
  config: Config, deps: { dataplane: Dataplane; logger: SyncLogger; director?: LimitSource; sequences?: Reservation },
): Promise<SyncService | null> {
  if (config.sync === undefined) return null;
  const limits = directorLimits(deps.director ?? { timeouts: () => config.timeouts, effectiveServices: () => config.virtualServices });
  const service = new SyncService(syncServiceOptions(config.sync, {
    dataplane: deps.dataplane, name: haName(config), limits, logger: deps.logger, sequences: deps.sequences,
  }));
  try {
    await service.start();
  } catch (e) {
    service.close();
    throw new Error(`sync: could not start on port ${config.sync.port} (${e instanceof Error ? e.message : String(e)})`);
  }
  return service;
}
