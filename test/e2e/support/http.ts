import { request as httpRequest } from 'node:http';
import { e2eAdminToken } from './e2eAuth';

/** A JSON response as the tests see it. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs a command as JSON. */
export async function postCommand(baseUrl: string, commandType: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return request(`${baseUrl}/api/commands/${commandType}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** GETs a path as JSON. */
export async function getJson(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return request(`${baseUrl}${path}`, { method: 'GET', headers });
}

/**
 * One HTTP request on a fresh connection. Not `fetch`: its pooled keep-alive sockets outlive the
 * test and keep jest from exiting.
 */
export function request(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<JsonResponse> {
  return new Promise((done, fail) => {
    // Requests go as an admin unless the caller sets its own Authorization header.
    const outgoingHeaders = { authorization: `Bearer ${e2eAdminToken()}`, ...init.headers };
    const outgoing = httpRequest(url, { method: init.method, headers: outgoingHeaders, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', fail);
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);
        try {
          done({ status: incoming.statusCode ?? 0, headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        } catch (error) {
          fail(new Error(`response of ${init.method} ${url} is not JSON: ${text.slice(0, 200)}`, { cause: error }));
        }
      });
    });
    outgoing.on('error', fail);
    outgoing.end(init.body);
  });
}
