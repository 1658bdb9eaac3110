import { createServer } from 'node:http';
import { forward, readAll } from './loopbackForwarding';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One PutRecords entry as the proxy sees it. */
export interface PutRecordsEntry {
  partitionKey: string;
  data: Buffer;
}

/** A loopback proxy in front of moto's Kinesis that fails chosen PutRecords entries. */
export interface KinesisFaultProxy {
  endpoint: string;
  /** Every entry that reached the proxy, failed or not, in arrival order. */
  readonly seen: PutRecordsEntry[];
  close(): Promise<void>;
}

/**
 * Starts a proxy that forwards everything to `target`, except that in each PutRecords call the
 * entries `fail` picks are cut out of the forwarded request and answered, in place, with
 * `ProvisionedThroughputExceededException` (as Kinesis answers a shard over its limit), with
 * `FailedRecordCount` set. What the client receives is the response shape of a real partial
 * failure; what reaches moto is only what "succeeded".
 */
export async function startKinesisFaultProxy(target: string, fail: (entry: PutRecordsEntry) => boolean): Promise<KinesisFaultProxy> {
  const seen: PutRecordsEntry[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    void relay(target, incoming, outgoing, fail, seen).catch((error: unknown) => {
      outgoing.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface PutRecordsBody {
  Records: { Data: string; PartitionKey: string }[];
  [field: string]: unknown;
}

async function relay(target: string, incoming: IncomingMessage, outgoing: ServerResponse, fail: (entry: PutRecordsEntry) => boolean, seen: PutRecordsEntry[]): Promise<void> {
  const body = await readAll(incoming);
  const isPutRecords = String(incoming.headers['x-amz-target'] ?? '').endsWith('.PutRecords');
  if (!isPutRecords) {
    const answer = await forward(target, incoming, body);
    outgoing.writeHead(answer.status, answer.headers).end(answer.body);
    return;
  }
  const parsed = JSON.parse(body.toString('utf8')) as PutRecordsBody;
  const failing = parsed.Records.map((entry) => {
    const view = { partitionKey: entry.PartitionKey, data: Buffer.from(entry.Data, 'base64') };
    seen.push(view);
    return fail(view);
  });
  const passing = parsed.Records.filter((_entry, index) => !failing[index]);
  let answers: Record<string, unknown>[] = [];
  if (passing.length > 0) {
    const answer = await forward(target, incoming, Buffer.from(JSON.stringify({ ...parsed, Records: passing })));
    if (answer.status !== 200) {
      outgoing.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    answers = (JSON.parse(answer.body.toString('utf8')) as { Records: Record<string, unknown>[] }).Records;
  }
  const records = failing.map((failed) => (failed ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected)' } : answers.shift()));
  const response = Buffer.from(JSON.stringify({ FailedRecordCount: failing.filter(Boolean).length, Records: records }));
  outgoing.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': response.length }).end(response);
}
