import { SqliteDatabaseError, SQLITE_DATABASE_ERRORS } from '../../../adapters/embedded/SqliteDatabaseError';
import { AuthConfigError } from '../../../core/auth/authConfig';
import { ConfigError } from '../../../handlers/local/config';
import { DataDirectoryError } from '../../../handlers/local/dataDirectory';
import { describeStartupFailure } from '../../../handlers/local/startupFailure';

const target = { host: 'example.test', port: 3000 };
const systemError = (code: string, message = `listen ${code}`): Error => Object.assign(new Error(message), { code });

describe('describeStartupFailure', () => {
  it.each([
    ['a port in use', systemError('EADDRINUSE'), 1, 'nexus: cannot start: port 3000 on example.test is already in use (EADDRINUSE); choose another with --port or PORT, or stop the process using it'],
    ['a privileged port', systemError('EACCES'), 1, 'nexus: cannot start: not allowed to listen on example.test:3000 (EACCES: ports below 1024 need privileges); choose another with --port or PORT'],
    ['a host that does not resolve', systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND example.test'), 1, 'nexus: cannot start: host example.test does not resolve to an address (ENOTFOUND); choose another with --host or HOST'],
    ['an address not on this machine', systemError('EADDRNOTAVAIL'), 1, 'nexus: cannot start: host example.test is not an address of this machine (EADDRNOTAVAIL); choose another with --host or HOST'],
    ['an unusable data directory', new DataDirectoryError('/proc/x', 'is on a proc pseudo file system'), 1, 'nexus: cannot start: data directory /proc/x is on a proc pseudo file system (--data-dir or NEXUS_DATA_DIR)'],
    ['a corrupt database', new SqliteDatabaseError(SQLITE_DATABASE_ERRORS.CORRUPT, '/d/nexus.db', 'is damaged', systemError('SQLITE_NOTADB')), 1, 'nexus: cannot start: database /d/nexus.db is damaged (SQLITE_NOTADB)'],
    ['a refused flag', new ConfigError('--port must be an integer from 0 to 65535; got "x"'), 2, 'nexus: configuration error: --port must be an integer from 0 to 65535; got "x"'],
    ['a refused variable', new AuthConfigError('NEXUS_JWT_SECRET must be at least 32 bytes long'), 2, 'nexus: configuration error: NEXUS_JWT_SECRET must be at least 32 bytes long'],
    ['an unforeseen error over several lines', systemError('EWHATEVER', 'first\n  second'), 1, 'nexus: cannot start: first second (EWHATEVER)'],
  ])('describes %s in one line with the right exit code', (_name, error, exitCode, line) => {
    // given a failure of the start
    // when describing it
    const failure = describeStartupFailure(error, target);
    // then it is one line naming the cause and what to change
    expect(failure).toEqual({ line, exitCode });
    expect(failure.line).not.toContain('\n');
  });
});
