import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateRegistryCommand, DeleteRegistryCommand, GlueClient } from '@aws-sdk/client-glue';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';

/** A Glue client on moto that counts the requests it sends, by command name (an SDK middleware). */
export interface CountingGlueClient {
  client: GlueClient;
  /** Requests sent so far with this command name, e.g. `GetSchemaVersionCommand`. */
  calls(commandName: string): number;
}

/**
 * A Glue client on this run's moto, `maxAttempts: 1`, counting its requests. moto keeps Glue
 * registries per region and allows 10 per region, so each test file uses a region of its own.
 */
export function countingGlueClient(region: string, endpoint = motoClientConfig().endpoint): CountingGlueClient {
  const client = new GlueClient({ ...motoClientConfig(), endpoint, region, maxAttempts: 1 });
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'nexusTestRequestCounter' },
  );
  return { client, calls: (commandName) => counts.get(commandName) ?? 0 };
}

/** Registries no other test uses, deleted again by `deleteAll` (moto allows 10 per region). */
export interface TestRegistries {
  create(): Promise<string>;
  deleteAll(): Promise<void>;
}

/** Creates and deletes test registries through `client`. */
export function testRegistries(client: GlueClient, prefix = 'nexus-test'): TestRegistries {
  const created: string[] = [];
  return {
    async create() {
      const registryName = uniqueName(prefix);
      await client.send(new CreateRegistryCommand({ RegistryName: registryName }));
      created.push(registryName);
      return registryName;
    },
    async deleteAll() {
      for (const registryName of created.splice(0)) await client.send(new DeleteRegistryCommand({ RegistryId: { RegistryName: registryName } }));
    },
  };
}

/** A loopback proxy in front of moto's Glue that throttles chosen requests. */
export interface GlueThrottlingProxy {
  endpoint: string;
  /** The `X-Amz-Target` operation of every request received, throttled or not, in order. */
  readonly received: string[];
  close(): Promise<void>;
}

/**
 * Starts a proxy that answers a request with Glue's throttling error (HTTP 400, `__type`
 * ThrottlingException, the shape the SDK parses from AWS) when `throttle(operation)` says so,
 * and forwards every other request to `target` untouched: a transient fault over real HTTP.
 */
export async function startGlueThrottlingProxy(target: string, throttle: (operation: string) => boolean): Promise<GlueThrottlingProxy> {
  const received: string[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const operation = String(incoming.headers['x-amz-target'] ?? '').replace(/^AWSGlue\./, '');
      received.push(operation);
      if (throttle(operation)) {
        const body = JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded (injected)' });
        outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'throttled' }).end(body);
        return;
      }
      const forwarded = request(new URL(incoming.url ?? '/', target), { method: incoming.method, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forwarded.on('error', (error) => outgoing.writeHead(502).end(String(error)));
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
