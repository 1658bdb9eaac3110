/**
 * Part of issue 8 ("HTTP edges") on the real Node server over loopback, as `npm start` runs it:
 * `serve()` from @hono/node-server plus applyHttpServerLimits. Covers what an in-process
 * `app.request` cannot show: headers over Node's limit, a body shorter than its Content-Length,
 * bytes that are not HTTP, and a client that disconnects mid-body.
 */
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { createJsonLogger } from '../../../core/logging/Logger';
import { applyHttpServerLimits } from '../../../handlers/local/httpServerLimits';
import { bearer } from '../auth/securedApi';
import { createTestApi, expectNoErrorLogs } from './apiFixture';
import type { Json, TestApi } from './apiFixture';

let api: TestApi;
let server: ServerType;
let port: number;
let admin: Record<string, string>;
const serverLog: Json[] = [];

beforeAll(async () => {
  admin = await bearer('root', 'admin');
  // A short body timeout, so that a body that never completes is answered within the test.
  api = await createTestApi({ bodyTimeoutMs: 200 });
  const logger = createJsonLogger({ level: 'debug', write: (line) => serverLog.push(JSON.parse(line) as Json) });
  await new Promise<void>((listening) => {
    server = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => listening());
    applyHttpServerLimits(server, {}, logger);
  });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  api.close();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` on a fresh connection and reads everything until the server closes it. */
async function raw(request: string | Buffer): Promise<RawAnswer> {
  const bytes = await new Promise<Buffer>((done, fail) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', fail);
    socket.on('close', () => done(Buffer.concat(chunks)));
  });
  return parse(bytes);
}

function parse(bytes: Buffer): RawAnswer {
  const text = bytes.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) };
}

function expectRawProblem(answer: RawAnswer, status: number, code: string): void {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({ status, type: 'application/problem+json' });
  expect(JSON.parse(answer.body)).toMatchObject({ status, code, detail: expect.any(String), correlationId: expect.any(String) });
}

describe('the Node server', () => {
  it('answers headers over the limit with 431 HEADERS_TOO_LARGE as problem+json', async () => {
    // given headers beyond Node's 16 KiB limit
    const request = `GET /api/queries/orders HTTP/1.1\r\nhost: localhost\r\nx-padding: ${'a'.repeat(20_000)}\r\n\r\n`;
    // when
    const answer = await raw(request);
    // then
    expectRawProblem(answer, 431, 'HEADERS_TOO_LARGE');
    expect(answer.headers['connection']).toBe('close');
  });

  it('answers bytes that are not HTTP with 400 MALFORMED_REQUEST as problem+json', async () => {
    // given
    const request = 'NOT HTTP AT ALL\r\n\r\n';
    // when
    const answer = await raw(request);
    // then
    expectRawProblem(answer, 400, 'MALFORMED_REQUEST');
  });

  it('answers a body shorter than its Content-Length with 408 REQUEST_TIMEOUT and closes the connection', async () => {
    // given a declared body of 100 bytes of which 10 are sent, the connection left open
    const head = `POST /api/commands/PlaceOrder HTTP/1.1\r\nhost: localhost\r\nauthorization: ${admin.authorization}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`;
    // when
    const answer = await raw(`${head}{"custome`);
    // then the API's body timeout answers, and the server closes the connection (raw() returned)
    expectRawProblem(answer, 408, 'REQUEST_TIMEOUT');
    expectNoErrorLogs(api.logLines);
  });

  it('answers a known path with another method 405 with Allow', async () => {
    // given
    // when
    const response = await fetch(`http://127.0.0.1:${port}/api/commands/PlaceOrder`, { method: 'PUT', headers: admin });
    // then
    expect({ status: response.status, allow: response.headers.get('allow'), type: response.headers.get('content-type') }).toEqual({
      status: 405,
      allow: 'POST',
      type: 'application/problem+json',
    });
    expect(await response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });

  it("answers a request Node's own timeout cuts off with 408 REQUEST_TIMEOUT as problem+json", async () => {
    // given a connection whose request line has not arrived when Node's requestTimeout fires
    // (Node checks it every 30 s, so the test raises the error Node raises, on the real socket)
    const serverSide = new Promise<Socket>((accepted) => server.once('connection', accepted));
    const answer = new Promise<RawAnswer>((done, fail) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/queries/orders HTTP/1.1\r\nhost: local'));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', fail);
      socket.on('close', () => done(parse(Buffer.concat(chunks))));
    });
    // when
    server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), await serverSide);
    // then
    expectRawProblem(await answer, 408, 'REQUEST_TIMEOUT');
  });

  it('logs a client that disconnects mid-body below error level', async () => {
    // given a request whose client goes away after part of its body
    const refusedBefore = api.logLines.filter((line) => line.message === 'request refused').length;
    const head = `POST /api/commands/PlaceOrder HTTP/1.1\r\nhost: localhost\r\nauthorization: ${admin.authorization}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`;
    // when
    await new Promise<void>((sent) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`${head}{"custome`, () => {
        socket.destroy();
        sent();
      }));
    });
    // then the request is refused (aborted, or timed out) and logged at info, never at error
    while (api.logLines.filter((line) => line.message === 'request refused').length === refusedBefore) await new Promise((tick) => setTimeout(tick, 10));
    expect(api.logLines.at(-1)).toMatchObject({ level: 'info', message: 'request refused', code: expect.stringMatching(/^REQUEST_(ABORTED|TIMEOUT)$/) });
    expectNoErrorLogs(api.logLines);
    expectNoErrorLogs(serverLog);
  });
});
