import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward, readAll } from './loopbackForwarding';

/** A loopback proxy in front of moto's API Gateway management API that keeps what was posted. */
export interface WebSocketManagementProxy {
  /** The management endpoint to give the handlers (NEXUS_WEBSOCKET_ENDPOINT). */
  endpoint: string;
  /** The frames posted to a connection (JSON-parsed), in order, whether moto or the proxy answered. */
  framesOf(connectionId: string): Record<string, unknown>[];
  /** From now on, answers 410 GoneException to every request for this connection, as API Gateway does once a client left. */
  gone(connectionId: string): void;
  close(): Promise<void>;
}

const CONNECTION_PATH = /^\/@connections\/([^/?]+)/;

/**
 * Starts a proxy that forwards every request to `target` (moto), keeping the body of each
 * PostToConnection by connection. moto 5.2.5 accepts PostToConnection but gives nothing back of
 * what was posted (GetConnection answers times and identity; its `/moto-api/data.json` lists
 * BaseModel instances only, and the connection is not one), and it never answers 410: so the
 * delivery is read here, and a gone connection is answered here.
 */
export async function startWebSocketManagementProxy(target: string): Promise<WebSocketManagementProxy> {
  const frames = new Map<string, Record<string, unknown>[]>();
  const goneIds = new Set<string>();
  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readAll(incoming);
      const connectionId = decodeURIComponent(CONNECTION_PATH.exec(incoming.url ?? '')?.[1] ?? '');
      if (connectionId !== '' && goneIds.has(connectionId)) {
        const answer = JSON.stringify({ message: `connection ${connectionId} is gone (injected)` });
        outgoing.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException', 'content-length': String(Buffer.byteLength(answer)) }).end(answer);
        return;
      }
      const answer = await forward(target, incoming, body);
      if (incoming.method === 'POST' && connectionId !== '' && answer.status === 200) {
        const list = frames.get(connectionId) ?? [];
        list.push(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
        frames.set(connectionId, list);
      }
      outgoing.writeHead(answer.status, answer.headers).end(answer.body);
    })().catch((error: unknown) => outgoing.writeHead(502).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    framesOf: (connectionId) => [...(frames.get(connectionId) ?? [])],
    gone: (connectionId) => goneIds.add(connectionId),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
