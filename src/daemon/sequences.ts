// One sequence mark for every signed datagram this director sends (sync and heartbeat), so that
// neither can reuse a number the other handed out.
import { join } from 'node:path';
import type { Reservation } from '../common/sequence';
import { openSequenceStore, type SequenceStoreLogger } from '../common/sequence_store';
import { DEFAULT_STATE_DIRECTORY, type Config } from '../config/model';

/**
 * The sequence numbers of signed sync and heartbeat, one mark for both in
 * director.stateDirectory; undefined when nothing is signed (plain sync alone writes no file).
 */
export function sequenceReservation(config: Config, logger: SequenceStoreLogger): Reservation | undefined {
  const signed = config.heartbeat !== undefined || (config.sync !== undefined && config.sync.auth !== null);
  if (!signed) return undefined;
  return openSequenceStore({ path: join(config.director.stateDirectory ?? DEFAULT_STATE_DIRECTORY, 'sequence'), logger });
}
