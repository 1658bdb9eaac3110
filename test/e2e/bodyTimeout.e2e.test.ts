/**
 * `npm start -- --body-timeout-ms`: a body shorter than its Content-Length is answered 408 by the
 * real server within the configured time, as problem+json, and the connection is closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eAdminToken } from './support/e2eAuth';
import { startNexus } from './support/NexusProcess';
import type { NexusProcess } from './support/NexusProcess';

let dataDir: string;
let nexus: NexusProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-body-timeout-'));
  nexus = await startNexus({ dataDir, env: { NEXUS_BODY_TIMEOUT_MS: '300' } });
});

afterAll(async () => {
  await nexus?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Sends raw bytes and resolves with everything the server sends until it closes the connection. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('the body timeout of npm start', () => {
  it('answers a body shorter than its Content-Length with 408 REQUEST_TIMEOUT and closes the connection', async () => {
    // given a server started with NEXUS_BODY_TIMEOUT_MS=300, and a request declaring 100 bytes of body that sends 10
    const head = `POST /api/commands/PlaceOrder HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${e2eAdminToken()}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`;
    // when
    const answer = await exchange((nexus as NexusProcess).port, `${head}{"custome`);
    // then the server answers 408 as problem+json, then closes the connection (exchange resolved)
    const [statusLine = '', ...rest] = answer.split('\r\n');
    expect(statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer.toLowerCase()).toContain('content-type: application/problem+json');
    expect(JSON.parse(rest.join('\r\n').split('\r\n\r\n')[1] ?? '{}')).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
  });
});
