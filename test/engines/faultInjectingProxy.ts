import { createServer } from 'node:http';
import { forward, readAll } from './loopbackForwarding';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with a request a rule matched. */
export type Fault =
  /** Answer it without forwarding: `status`, a JSON body and its content type. */
  | { kind: 'answer'; status: number; contentType: string; body: string }
  /** Forward nothing and destroy the connection (the client sees ECONNRESET / socket hang up). */
  | { kind: 'reset' }
  /** Forward it, let the service act on it, then destroy the connection instead of answering. */
  | { kind: 'reset-after-forward' };

/** A fault to inject into the next `times` requests whose `X-Amz-Target` ends with `.<target>`. */
export interface FaultRule {
  /** The operation, e.g. `TransactWriteItems`; `*` matches every request. */
  target: string;
  /** How many matching requests get the fault. @defaultValue Infinity */
  times?: number;
  fault: Fault;
}

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  /** The operation (`TransactWriteItems`, `Query`, ...), from `X-Amz-Target`. */
  target: string;
  /** `forwarded` or the fault's kind. */
  outcome: 'forwarded' | Fault['kind'];
}

/** A loopback HTTP proxy in front of an AWS-protocol endpoint (moto) that injects faults. */
export interface FaultInjectingProxy {
  endpoint: string;
  /** Every request, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** How many requests of `target` arrived (faulted or not). */
  count(target: string): number;
  /** Adds a rule; rules are tried in the order added, each until its `times` are used up. */
  inject(rule: FaultRule): void;
  /** Forgets the rules (requests already seen stay counted). */
  heal(): void;
  close(): Promise<void>;
}

/** A DynamoDB error answer, in the shape the service sends (`__type` with the service namespace). */
export function dynamoDbError(type: string, message: string, status = 400): Fault {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
  return { kind: 'answer', status, contentType: 'application/x-amz-json-1.0', body };
}

/** DynamoDB's answer to a table over its provisioned throughput (HTTP 400). */
export function throughputExceeded(): Fault {
  return dynamoDbError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded (injected)');
}

/** An internal error (HTTP 500), as DynamoDB answers a transient fault of its own. */
export function internalServerError(): Fault {
  return dynamoDbError('InternalServerError', 'Internal server error (injected)', 500);
}

/**
 * Starts a proxy on 127.0.0.1 that forwards every request to `target` unchanged, except those a
 * rule matches, which get its fault: a real error answer, a reset connection, or a reset after
 * the service already acted. What the SDK receives is what it would receive from AWS, so
 * adapters' retries are provoked over real HTTP rather than by mocking the client.
 *
 * @example
 * const proxy = await startFaultInjectingProxy(motoEndpoint());
 * proxy.inject({ target: 'TransactWriteItems', times: 2, fault: throughputExceeded() });
 * const client = new DynamoDBClient({ ...motoClientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
 */
export async function startFaultInjectingProxy(target: string): Promise<FaultInjectingProxy> {
  const requests: ProxiedRequest[] = [];
  let rules: { rule: FaultRule; left: number }[] = [];
  const sockets = new Set<Socket>();
  const faultFor = (operation: string): Fault | undefined => {
    const match = rules.find(({ rule, left }) => left > 0 && (rule.target === '*' || rule.target === operation));
    if (!match) return undefined;
    match.left -= 1;
    return match.rule.fault;
  };
  const server: Server = createServer((incoming, outgoing) => {
    void handle(incoming, outgoing).catch((error: unknown) => {
      if (!outgoing.headersSent) outgoing.writeHead(502).end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const body = await readAll(incoming);
    const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const fault = faultFor(operation);
    requests.push({ target: operation, outcome: fault ? fault.kind : 'forwarded' });
    if (fault?.kind === 'reset') {
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'answer') {
      outgoing.writeHead(fault.status, { 'content-type': fault.contentType, 'content-length': Buffer.byteLength(fault.body), 'x-amzn-requestid': 'injected' }).end(fault.body);
      return;
    }
    const answer = await forward(target, incoming, body);
    if (fault?.kind === 'reset-after-forward') {
      incoming.socket.destroy();
      return;
    }
    outgoing.writeHead(answer.status, answer.headers).end(answer.body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    count: (operation) => requests.filter((seen) => seen.target === operation).length,
    inject: (rule) => void rules.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }),
    heal: () => void (rules = []),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
