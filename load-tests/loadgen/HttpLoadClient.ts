import { Agent, request } from 'node:http';

/** A response as the load generator keeps it. */
export interface LoadResponse {
  status: number;
  body: string;
}

/** Options of {@link HttpLoadClient}. */
export interface HttpLoadClientOptions {
  /** Bearer token sent on every request. */
  token?: string;
  /** Sockets kept open to the server. @defaultValue 200 */
  maxSockets?: number;
  /** A request that takes longer fails with status 0. @defaultValue 30000 */
  timeoutMs?: number;
}

const DEFAULTS = { maxSockets: 200, timeoutMs: 30_000 };

/**
 * A small HTTP/1.1 client for load generation: one keep-alive agent (no TCP handshake per
 * request), bodies read in full, never throws on a status code.
 *
 * @example
 * const client = new HttpLoadClient('http://127.0.0.1:3000', { token });
 * const { status } = await client.send('POST', '/api/commands/PlaceOrder', body);
 * client.close();
 */
export class HttpLoadClient {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly authorization: string | undefined;

  constructor(baseUrl: string, options: HttpLoadClientOptions = {}) {
    const settings = { ...DEFAULTS, ...options };
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: settings.maxSockets, maxFreeSockets: settings.maxSockets });
    this.timeoutMs = settings.timeoutMs;
    this.authorization = options.token === undefined ? undefined : `Bearer ${options.token}`;
  }

  /** Sends one request; `extraHeaders` (e.g. `Idempotency-Key`) are added to this request only. */
  send(method: 'GET' | 'POST', path: string, json?: unknown, extraHeaders?: Readonly<Record<string, string>>): Promise<LoadResponse> {
    const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const headers: Record<string, string | number> = { ...extraHeaders };
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.byteLength;
    }
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: this.url.hostname, port: this.url.port, method, path, headers, agent: this.agent, timeout: this.timeoutMs },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} timed out after ${this.timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Closes every pooled socket, so the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}
