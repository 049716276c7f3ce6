import { DEFAULT_SOCKET, SOCKET_ENV } from './protocol';

/** --socket wins, then $PIVS_SOCKET, then the default; pivsd and pivsadm resolve it alike. */
export function resolveSocketPath(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (option !== undefined && option !== '') return option;
  const fromEnv = env[SOCKET_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_SOCKET;
}
