/**
 * What every Lambda handler observes itself with, built once per container: a Powertools Logger
 * (JSON lines on stdout, POWERTOOLS_SERVICE_NAME), behind our Logger port; Powertools Metrics in
 * embedded metric format (namespace {@link METRICS_NAMESPACE}, dimension `service`), flushed at
 * the end of each invocation; a Powertools Tracer (X-Ray; Lambda's tracing is on in the
 * template, and off elsewhere).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { EmfMetrics, powertoolsLogger, traceInvocation } from '../../../adapters/powertools';
import type { Logger } from '../../../core/logging/Logger';
import { ConfigError } from '../../local/config';
import { METRICS_NAMESPACE } from './metricNames';

/** One container's logger, metrics and tracer. */
export interface LambdaObservability {
  /** The Powertools logger behind {@link logger}: the handler appends per-invocation keys to it. */
  root: PowertoolsLogger;
  logger: Logger;
  metrics: EmfMetrics;
  /** The Powertools Metrics behind {@link metrics} (its default dimensions). */
  powertoolsMetrics: Metrics;
  tracer: Tracer;
}

const LOG_LEVELS = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', silent: 'SILENT' } as const;

/**
 * Builds the container's observability from the environment: POWERTOOLS_SERVICE_NAME (the
 * `service` of every line and metric) and NEXUS_LOG_LEVEL (debug, info, warn, error, silent;
 * default info). Does no I/O, so a bundle loads anywhere.
 */
export function lambdaObservability(env: NodeJS.ProcessEnv): LambdaObservability {
  const level = env.NEXUS_LOG_LEVEL === undefined || env.NEXUS_LOG_LEVEL === '' ? 'info' : env.NEXUS_LOG_LEVEL;
  if (!(level in LOG_LEVELS)) throw new ConfigError(`NEXUS_LOG_LEVEL must be one of ${Object.keys(LOG_LEVELS).join(', ')}; got "${level}"`);
  const serviceName = env.POWERTOOLS_SERVICE_NAME;
  const named = serviceName === undefined || serviceName === '' ? {} : { serviceName };
  const root = new PowertoolsLogger({ ...named, logLevel: LOG_LEVELS[level as keyof typeof LOG_LEVELS] });
  const powertoolsMetrics = new Metrics({ ...named, namespace: METRICS_NAMESPACE });
  return { root, logger: powertoolsLogger(root), metrics: new EmfMetrics(powertoolsMetrics), powertoolsMetrics, tracer: new Tracer(named) };
}

/**
 * Wraps a handler: the Lambda context on every log line, the invocation in a trace subsegment,
 * the metrics flushed and the per-invocation log keys dropped when it ends, whatever its outcome.
 */
export function observed<E, R>(observability: LambdaObservability, name: string, handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    observability.root.addContext(context);
    try {
      return await traceInvocation(observability.tracer, name, () => handler(event, context));
    } finally {
      observability.metrics.flush();
      observability.root.resetKeys();
    }
  };
}

/**
 * A value built once per container, on first use (not at load: a bundle must load without its
 * configuration). A failed build is forgotten, so the next invocation tries again.
 */
export function perContainer<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}
