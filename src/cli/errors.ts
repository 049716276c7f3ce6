// How pivsadm fails: ipvsadm's wording and exit codes, so scripts written for ipvsadm keep working.
import type { ErrorBody } from '../control/protocol';

/** ipvsadm exits 2 on a bad argument (its fail(2, ...)). */
export const EXIT_USAGE = 2;
/** ipvsadm returns -1 from main on a kernel refusal and on option-parser errors: status 255. */
export const EXIT_REFUSED = 255;
/** ipvsadm exits 1 when a listing cannot be read (e.g. -L -t of a missing service). */
export const EXIT_LIST = 1;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error that ipvsadm answers with its "Try -h" hint (popt errors, no command). */
export function tryHelp(message: string): CliError {
  return new CliError(`${message}\nTry \`pivsadm -h' or 'pivsadm --help' for more information.`, EXIT_REFUSED);
}

const REAL_METHODS = new Set(['addReal', 'editReal', 'deleteReal']);

/**
 * The daemon's error, worded as libipvs's ipvs_strerror() words the kernel's errno for the same
 * operation (a missing service is "Service not defined" when adding a real server to it).
 */
export function describeError(method: string, error: ErrorBody): string {
  switch (error.code) {
    case 'ServiceExists': return 'Service already exists';
    case 'NoService': return REAL_METHODS.has(method) ? 'Service not defined' : 'No such service';
    case 'RealExists': return 'Destination already exists';
    case 'NoReal': return 'No such destination';
    case 'Invalid':
    case 'Forbidden':
    case 'Internal':
    default:
      return error.message;
  }
}
