import type { HttpLoadClient } from '../loadgen/HttpLoadClient';

/**
 * Polls the Nexus server's `GET /health` until every pipeline has caught up with its source
 * (`lagRecords` 0), or `timeoutMs` passes; resolves whether they caught up. Benches call it
 * between measured blocks so that one block's backlog (projections, in the pipeline worker) does
 * not run during the next.
 */
export async function waitForPipelines(client: HttpLoadClient, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const health = await client.send('GET', '/health').catch(() => undefined);
    const pipelines = health?.status === 200 ? (JSON.parse(health.body) as { pipelines?: Record<string, { lagRecords?: number }> }).pipelines : undefined;
    if (pipelines && Object.values(pipelines).every((pipeline) => (pipeline.lagRecords ?? 0) === 0)) return true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return false;
}
