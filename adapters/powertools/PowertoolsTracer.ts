/**
 * X-Ray tracing through Powertools Tracer: the SDK clients captured (each call a subsegment), and
 * each invocation in a `## <name>` subsegment annotated with the cold start and the service.
 * Outside Lambda (tests, the local server) the Tracer is disabled and both are pass-throughs.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** Captures AWS SDK v3 clients so each of their calls is a subsegment of the invocation's trace. */
export function traceSdkClients<T extends object>(tracer: Tracer, clients: readonly T[]): void {
  for (const client of clients) tracer.captureAWSv3Client(client);
}

/**
 * Runs `work` in a subsegment `## <name>` of Lambda's segment; an error is recorded on it and
 * rethrown, the result is not (it may hold records). The subsegment is closed either way.
 */
export async function traceInvocation<T>(tracer: Tracer, name: string, work: () => Promise<T>): Promise<T> {
  const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (segment === undefined) return work();
  const subsegment = segment.addNewSubsegment(`## ${name}`);
  tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await work();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(segment);
  }
}
