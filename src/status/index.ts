export { startStatusServer, type StatusServer, type StatusServerOptions } from './server';
export { buildStatus } from './build';
export { statusSchema } from './schema';
export { StatusMetrics, METRICS } from './metrics';
export { daemonSources, linkStatus, vrrpStatus, type OptionalProviders } from './sources';
export type * from './model';
