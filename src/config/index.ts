export type {
  Config, VirtualService, VirtualServiceKey, RealServer, Persistence, Timeouts, DirectorSettings,
  Scheduler, SchedFlag, Protocol,
} from './model';
export { SCHEDULERS, SCHED_FLAGS, DEFAULT_TIMEOUTS, DEFAULT_PERSISTENCE_TIMEOUT } from './model';
export { ConfigError } from './errors';
export { loadConfigFile, parseConfig, type LoadOptions } from './load';
export { DEFAULT_DIRECTOR, type ValidateOptions } from './validate';
export { parseAddress, type Family } from './address';
export { keyText, sameKey } from './items';
export {
  validateServiceSettings, validateRealServer, validateServiceKey,
} from './single';
