import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request received by a {@link ResponseUrlServer}. */
export interface ReceivedResponse {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body. */
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: Record<string, unknown> | undefined;
}

/** A loopback HTTP server standing in for CloudFormation's pre-signed response URL. */
export interface ResponseUrlServer {
  /** A fresh response URL on this server (one per request, as CloudFormation's are). */
  url(): string;
  readonly received: ReceivedResponse[];
  close(): Promise<void>;
}

/**
 * Starts the server. Each request is answered with the next of `statuses` (the last one repeats;
 * 200 by default), so a test can make the first PUT fail.
 */
export async function startResponseUrlServer(statuses: readonly number[] = [200]): Promise<ResponseUrlServer> {
  const received: ReceivedResponse[] = [];
  let counter = 0;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ method: incoming.method ?? '', path: incoming.url ?? '', headers: incoming.headers, text, body: parsed(text) });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      outgoing.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: () => `http://127.0.0.1:${port}/cloudformation-response/${++counter}?X-Amz-Signature=test`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
