/**
 * Our {@link Logger} port over a Powertools Logger: one JSON line per entry on stdout, with the
 * Lambda context (request id, cold start, function) and every key the handler appended for the
 * invocation, such as the correlation id.
 */
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger } from '../../core/logging/Logger';

/**
 * Adapts `root` to the Logger port. Children keep their fields here and log through `root`
 * itself (never a Powertools child, which copies the keys at creation): so a child made once per
 * container, by a store or a pipeline, still writes the keys `root.appendKeys` sets per
 * invocation. Error values are formatted by Powertools (name, message, stack, cause).
 *
 * @example
 * ```ts
 * const root = new Logger({ serviceName: 'nexus-dev' });
 * const logger = powertoolsLogger(root);
 * root.appendKeys({ correlationId });   // on every line, children's included
 * ```
 */
export function powertoolsLogger(root: PowertoolsLogger, fields: Record<string, unknown> = {}): Logger {
  const entry = (extra: Record<string, unknown> | undefined): Record<string, unknown> => ({ ...fields, ...extra });
  return {
    debug: (message, extra) => root.debug(message, entry(extra)),
    info: (message, extra) => root.info(message, entry(extra)),
    warn: (message, extra) => root.warn(message, entry(extra)),
    error: (message, extra) => root.error(message, entry(extra)),
    child: (more) => powertoolsLogger(root, { ...fields, ...more }),
  };
}
