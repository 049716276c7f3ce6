// vrrp/: the election (RFC 3768 / RFC 5798 for IPv4), keepalived-compatible. The codec is exported
// for tests and the lab; the daemon only needs startVrrp.
export { startVrrp } from './service';
export type { VrrpService, VrrpOptions, VrrpInstanceStatus, VirtualMacListener } from './service';
export type { HeartbeatGuard, MasterGate } from './instance';
export type { VrrpStateName } from './fsm';
export { ADVERT_DROP_REASONS, type DropReason as AdvertDropReason } from './validate';
export { virtualMac, decodeAdvertFrame, advertFrame } from './codec';
