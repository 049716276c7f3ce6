export { HealthMonitor, type HealthSink, type MonitorOptions } from './monitor';
export { notifier, type RunCommand } from './notify';
export { createChecker } from './create';
export type { Checker, CheckResult, CheckTarget } from './checker';
export { runScript, type ScriptExit, type ScriptRun, type ScriptOptions } from './script_runner';
