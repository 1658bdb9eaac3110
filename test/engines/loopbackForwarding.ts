import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';

/** An upstream answer, read whole. */
export interface ForwardedAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Reads a request or response body whole. */
export function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Sends `incoming` (with `body`, possibly rewritten) on to `target` and reads the answer whole, for the test proxies. */
export function forward(target: string, incoming: IncomingMessage, body: Buffer): Promise<ForwardedAnswer> {
  const url = new URL(incoming.url ?? '/', target);
  const headers = { ...incoming.headers, host: url.host, 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const forwarded = request(url, { method: incoming.method, headers }, (answer) => {
      void readAll(answer).then((answerBody) => {
        const answerHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding') answerHeaders[name] = value;
        answerHeaders['content-length'] = String(answerBody.length);
        resolve({ status: answer.statusCode ?? 502, headers: answerHeaders, body: answerBody });
      }, reject);
    });
    forwarded.on('error', reject);
    forwarded.end(body);
  });
}
