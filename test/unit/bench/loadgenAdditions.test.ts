import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpLoadClient } from '../../../load-tests/loadgen/HttpLoadClient';
import { processCpuMs } from '../../../load-tests/loadgen/NexusServer';

// Small additions to the load generator made for the knee and idempotency benches: a header on
// one request only (Idempotency-Key), and the CPU time of a server process.

async function echoServer(seen: IncomingHttpHeaders[]): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on('end', () => response.writeHead(202).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('load generator additions', () => {
  it('sends extra headers on the one request that asks for them, beside the token and JSON headers', async () => {
    // given
    const seen: IncomingHttpHeaders[] = [];
    const { server, baseUrl } = await echoServer(seen);
    const client = new HttpLoadClient(baseUrl, { token: 't0ken', maxSockets: 1 });
    try {
      // when
      const withKey = await client.send('POST', '/api/commands/PlaceOrder', { orderId: 'o-1' }, { 'Idempotency-Key': 'key-1' });
      const withoutKey = await client.send('POST', '/api/commands/PlaceOrder', { orderId: 'o-2' });
      // then
      expect([withKey.status, withoutKey.status]).toEqual([202, 202]);
      expect(seen[0]).toMatchObject({ 'idempotency-key': 'key-1', authorization: 'Bearer t0ken', 'content-type': 'application/json' });
      expect(seen[1]?.['idempotency-key']).toBeUndefined();
      expect(seen[1]).toMatchObject({ authorization: 'Bearer t0ken' });
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads the CPU time a process has used, and nothing for a process that does not exist', () => {
    // given this process, and a pid above the kernel's limit
    // when
    const own = processCpuMs('self');
    const missing = processCpuMs(2 ** 30);
    // then
    if (process.platform === 'linux') expect(own).toBeGreaterThan(0);
    expect(missing).toBeUndefined();
  });
});
