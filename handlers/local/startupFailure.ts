import { errorCodeOf } from '../../core/errors/NexusError';
import { isSqliteDatabaseError } from '../../adapters/embedded';
import { DATA_DIRECTORY_UNUSABLE } from './dataDirectory';
import { CONTINUATION_KEY_UNUSABLE } from './temporalContinuationKey';

/** What `npm start` prints (one line on stderr) and the exit code, for a failure to start. */
export interface StartupFailure {
  line: string;
  exitCode: 1 | 2;
}

/** The listen target, to name it in the message. */
export interface ListenTarget {
  host: string;
  port: number;
}

/** Exit code of a setting that was refused (usage). */
const CONFIGURATION = 2;
/** Exit code of an environment that does not let the server run (port, host, disk). */
const ENVIRONMENT = 1;

const CONFIG_CODES = new Set(['INVALID_CONFIG', 'INVALID_AUTH_CONFIG']);

/**
 * Turns any failure of the server's start into one line that names the cause and the flag,
 * variable or file to change, never a stack: a stack says where the code was, and the operator
 * needs to know what to fix. An error nobody foresaw still gets one line, with its code.
 *
 * @example
 * describeStartupFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), { host: '127.0.0.1', port: 3000 });
 * // { line: 'nexus: cannot start: port 3000 on 127.0.0.1 is already in use (EADDRINUSE); choose another with --port or PORT', exitCode: 1 }
 */
export function describeStartupFailure(error: unknown, target: ListenTarget): StartupFailure {
  const code = errorCodeOf(error);
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (code !== undefined && CONFIG_CODES.has(code)) return { line: `nexus: configuration error: ${message}`, exitCode: CONFIGURATION };
  if (code === DATA_DIRECTORY_UNUSABLE) return fault(`${message} (--data-dir or NEXUS_DATA_DIR)`);
  if (code === CONTINUATION_KEY_UNUSABLE) return fault(message);
  if (isSqliteDatabaseError(error)) return fault(`database ${message}`);
  const where = `${target.host}:${target.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return fault(`port ${target.port} on ${target.host} is already in use (EADDRINUSE); choose another with --port or PORT, or stop the process using it`);
    case 'EACCES':
      return fault(`not allowed to listen on ${where} (EACCES: ports below 1024 need privileges); choose another with --port or PORT`);
    case 'EADDRNOTAVAIL':
      return fault(`host ${target.host} is not an address of this machine (EADDRNOTAVAIL); choose another with --host or HOST`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return fault(`host ${target.host} does not resolve to an address (${code}); choose another with --host or HOST`);
    default:
      return fault(`${message}${code === undefined ? '' : ` (${code})`}`);
  }
}

function fault(reason: string): StartupFailure {
  return { line: `nexus: cannot start: ${reason}`, exitCode: ENVIRONMENT };
}

/** Messages of foreign errors can span lines (SQLite, getaddrinfo): the promise is one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
