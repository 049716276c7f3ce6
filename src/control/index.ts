export { Director, addressSets, type AddressListener, type DirectorOptions } from './director';
export { handleRequest } from './dispatch';
export { startControlServer, ControlServerError, type ControlServer } from './server';
export { resolveSocketPath } from './socket-path';
export { applyCommand, applyCommands, type ApplyResult } from './state';
export { RateEstimator, SAMPLE_INTERVAL_MS } from './rates';
export { buildList, IPVS_VERSION, PIVS_VERSION } from './list';
export * from './protocol';
