export {
  HeartbeatService, HEARTBEAT_PORT, type HeartbeatServiceOptions, type PeerStatus, type PathStatus, type PathEvent,
  type PeerReportEvent, type HeartbeatCounters,
} from './service';
export { heartbeatServiceOptions } from './options';
export { encodeHeartbeat, decodeHeartbeat, type Heartbeat } from './codec';
export { startHeartbeat } from './start';
