export {
  SyncService, SYNC_PORT, SYNC_GROUP, type SyncServiceOptions, type SyncCounters, type SyncRecordCounters, type SyncPeer,
} from './service';
export { syncServiceOptions } from './options';
export { readIpvsHeader, type IpvsHeader } from './ipvs_header';
export { encodeControl, decodeControl, type ControlMessage } from './control_message';
export { appendTrailer, checkTrailer, trailerLength, type TrailerFields } from './auth_trailer';
export { startSync } from './start';
