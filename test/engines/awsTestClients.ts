import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Client settings for moto on loopback: its endpoint (set by the integration project's global
 * setup), a fixed region and throwaway credentials, and the HTTP/1.1 handler (the SDK's default
 * HTTP/2 handler fails against moto with "Protocol error").
 */
export function motoClientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; requestHandler: NodeHttpHandler } {
  return {
    endpoint: motoEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
  };
}

/** The moto endpoint of this test run; throws outside the integration project. */
export function motoEndpoint(): string {
  const endpoint = process.env.NEXUS_TEST_MOTO_ENDPOINT;
  if (!endpoint) throw new Error('NEXUS_TEST_MOTO_ENDPOINT is not set: run the test through jest (the integration project starts moto)');
  return endpoint;
}

/** A name no other test of this run uses (moto copies a table per transaction: keep tables small and separate). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
