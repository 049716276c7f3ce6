export { startStatusServer, type StatusServer, type StatusServerOptions } from './server';
export { buildStatus } from './build';
export { statusSchema } from './schema';
export { StatusMetrics, METRICS } from './metrics';
export { daemonSources, linkStatus, startTime, vrrpStatus, type OptionalProviders, type StartTime } from './sources';
export type * from './model';
