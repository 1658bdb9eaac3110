import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward, readAll } from './loopbackForwarding';
import type { ForwardedAnswer } from './loopbackForwarding';

/** One PublishBatch entry as the proxy sees it. */
export interface PublishBatchEntry {
  /** The message text decoded from base64: the record bytes. */
  body: Buffer;
  groupId: string | undefined;
  attributes: Record<string, string>;
}

/** How the proxy answers an entry it fails: SNS's error code and whose fault it is. */
export interface EntryFailure {
  code: string;
  senderFault: boolean;
}

/** SNS's answer to an entry it could not take for its own reasons (retryable). */
export const INTERNAL_ERROR: EntryFailure = { code: 'InternalError', senderFault: false };

/** A loopback proxy in front of moto's SNS that fails chosen PublishBatch entries. */
export interface SnsFaultProxy {
  endpoint: string;
  /** The entries of every PublishBatch call that reached the proxy, call by call, failed or not. */
  readonly calls: PublishBatchEntry[][];
  close(): Promise<void>;
}

const ENTRY = /^PublishBatchRequestEntries\.member\.(\d+)\.(.+)$/;

/**
 * Starts a proxy that forwards everything to `target`, except that in each PublishBatch call the
 * entries `fail` answers a failure for are cut out of the forwarded request and answered in the
 * call's `Failed` list with that code and SenderFault, as SNS answers an entry it did not take. What
 * the client receives is the XML of a real partial failure; what reaches moto (and so the
 * subscribed queues) is only what "succeeded".
 */
export async function startSnsFaultProxy(target: string, fail: (entry: PublishBatchEntry) => EntryFailure | undefined): Promise<SnsFaultProxy> {
  const calls: PublishBatchEntry[][] = [];
  const server: Server = createServer((incoming, outgoing) => {
    void relay(target, incoming, fail, calls).then(
      (answer) => outgoing.writeHead(answer.status, answer.headers).end(answer.body),
      (error: unknown) => outgoing.writeHead(502).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function relay(target: string, incoming: IncomingMessage, fail: (entry: PublishBatchEntry) => EntryFailure | undefined, calls: PublishBatchEntry[][]): Promise<ForwardedAnswer> {
  const body = await readAll(incoming);
  const params = new URLSearchParams(body.toString('utf8'));
  if (params.get('Action') !== 'PublishBatch') return forward(target, incoming, body);
  const { common, entries } = splitEntries(params);
  const views = entries.map(view);
  calls.push(views);
  const failing = views.map((entry) => fail(entry));
  const passing = entries.filter((_entry, index) => failing[index] === undefined);
  let successful = '';
  if (passing.length > 0) {
    const forwarded = new URLSearchParams(common);
    passing.forEach((entry, index) => {
      for (const [field, value] of entry) forwarded.append(`PublishBatchRequestEntries.member.${index + 1}.${field}`, value);
    });
    const answer = await forward(target, incoming, Buffer.from(forwarded.toString()));
    if (answer.status !== 200) return answer;
    successful = /<Successful>([\s\S]*?)<\/Successful>/.exec(answer.body.toString('utf8'))?.[1] ?? '';
  }
  const failed = entries
    .map((entry, index) => ({ id: entry.get('Id') ?? '', failure: failing[index] }))
    .filter(({ failure }) => failure !== undefined)
    .map(({ id, failure }) => `<member><Id>${id}</Id><Code>${failure?.code ?? ''}</Code><Message>injected</Message><SenderFault>${String(failure?.senderFault)}</SenderFault></member>`)
    .join('');
  const xml = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult>` +
      `<Successful>${successful}</Successful><Failed>${failed}</Failed></PublishBatchResult><ResponseMetadata><RequestId>injected</RequestId></ResponseMetadata></PublishBatchResponse>`,
  );
  return { status: 200, headers: { 'content-type': 'text/xml', 'content-length': String(xml.length) }, body: xml };
}

/** The request's own parameters, and each entry's fields (`Id`, `Message`, `MessageAttributes.entry.1.Name`, ...) in member order. */
function splitEntries(params: URLSearchParams): { common: [string, string][]; entries: Map<string, string>[] } {
  const common: [string, string][] = [];
  const byMember = new Map<number, Map<string, string>>();
  for (const [name, value] of params) {
    const match = ENTRY.exec(name);
    if (!match) {
      common.push([name, value]);
      continue;
    }
    const member = Number(match[1]);
    const fields = byMember.get(member) ?? new Map<string, string>();
    fields.set(match[2] as string, value);
    byMember.set(member, fields);
  }
  return { common, entries: [...byMember.entries()].sort(([a], [b]) => a - b).map(([, fields]) => fields) };
}

function view(fields: Map<string, string>): PublishBatchEntry {
  const attributes: Record<string, string> = {};
  for (const [field, name] of fields) {
    const match = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(field);
    if (match) attributes[name] = fields.get(`MessageAttributes.entry.${match[1]}.Value.StringValue`) ?? '';
  }
  return { body: Buffer.from(fields.get('Message') ?? '', 'base64'), groupId: fields.get('MessageGroupId'), attributes };
}
