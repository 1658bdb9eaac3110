import { startMotoServer } from './motoServer';
import type { MotoServer } from './motoServer';
import { startOpenSearchNode } from './openSearchNode';
import type { OpenSearchNode } from './openSearchNode';

// Global setup of the `integration` jest project: Jest runs it only when at least one test of
// that project is selected, so unit runs never start an engine. One moto server per run.
declare global {
  var nexusMotoServer: MotoServer | undefined;
  var nexusOpenSearchNode: OpenSearchNode | undefined;
}

export default async function integrationSetup(): Promise<void> {
  // The SDK warns once per process that its 2027 releases need Node 22; the pinned ones run on 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Both engines start at once: the JVM's start dominates, moto is ready long before it.
  await Promise.all([startMoto(), startOpenSearch()]);
}

async function startMoto(): Promise<void> {
  if (process.env.NEXUS_TEST_MOTO_ENDPOINT) return; // an engine the caller started (npm run engines)
  const moto = await startMotoServer();
  globalThis.nexusMotoServer = moto;
  // Test workers are forked after global setup and inherit this environment.
  process.env.NEXUS_TEST_MOTO_ENDPOINT = moto.endpoint;
}

// One OpenSearch node per run (a JVM of about 300 MB); tests isolate themselves by index prefix.
async function startOpenSearch(): Promise<void> {
  if (process.env.NEXUS_TEST_OPENSEARCH_ENDPOINT) return; // a node the caller started
  const node = await startOpenSearchNode();
  globalThis.nexusOpenSearchNode = node;
  process.env.NEXUS_TEST_OPENSEARCH_ENDPOINT = node.endpoint;
}
