/** Structured logger port; the default writes one JSON object per line. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** @defaultValue 'info' */
  level?: LogLevel;
  /** @defaultValue writes to process.stderr */
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
}

/** A logger that writes JSON lines; errors are serialised with their code and cause. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = options.fields ?? {};
  const log = (at: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[at] < ORDER[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: at, message, ...base, ...serialise(fields) }));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createJsonLogger({ level, write, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createJsonLogger({ level: 'silent' });

function serialise(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) out[name] = value instanceof Error ? errorFields(value) : value;
  return out;
}

function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? errorFields(error.cause) : error.cause;
  return { name: error.name, code, message: error.message, ...(cause === undefined ? {} : { cause }) };
}
