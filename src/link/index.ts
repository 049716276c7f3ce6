// link/: Ethernet redundancy (HAS's link daemon) — rtnetlink link events, the failover/failback
// state machine, and what moves with the active link. docs/links.md.
export { startLinks, ipAddressMover } from './service';
export { RouteMetricMover } from './routes';
export type { LinkService, LinkServiceOptions, LinkStatus, LinkStatusEntry, LinkFollower, AddressMover } from './service';
export { ipMonitorSource, monitorSource, parseLinkLine } from './monitor';
export type { LinkSource, LinkEvent, LinkWatch, MonitorIo, MonitorChild } from './monitor';
export * as linkFsm from './fsm';
