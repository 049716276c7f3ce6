// A logger for modules that take the small { info, warn, debug } interface (sync/, heartbeat/):
// keeps every line so a test can check what was said, and how often.
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

export class RecordingLogger {
  readonly lines: LoggedLine[] = [];
  debug(obj: object, msg: string): void { this.lines.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }); }
  info(obj: object, msg: string): void { this.lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }); }
  warn(obj: object, msg: string): void { this.lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }); }
  error(obj: object, msg: string): void { this.lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }); }
}
