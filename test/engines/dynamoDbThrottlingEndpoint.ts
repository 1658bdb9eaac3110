import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback endpoint that answers every DynamoDB call as a throttled table does. */
export interface DynamoDbThrottlingEndpoint {
  endpoint: string;
  /** The `X-Amz-Target` of every request received, in order (e.g. `DynamoDB_20120810.PutItem`). */
  readonly received: string[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server that answers every request with DynamoDB's throttling error (HTTP 400,
 * `__type` ...#ThrottlingException), byte for byte the shape the SDK parses from AWS, so an
 * adapter's retries and its "unavailable" error are provoked over real HTTP.
 */
export async function startDynamoDbThrottlingEndpoint(): Promise<DynamoDbThrottlingEndpoint> {
  const received: string[] = [];
  const server = createServer((request, response) => {
    received.push(String(request.headers['x-amz-target'] ?? ''));
    request.resume();
    request.on('end', () => {
      const body = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput (injected)' });
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'throttled' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
