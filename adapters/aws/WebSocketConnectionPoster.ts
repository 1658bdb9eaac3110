import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { NexusError } from '../../core/errors/NexusError';
import { callWithRetry, describeAwsError } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';

/** A frame could not be posted to a connection that still exists (after retries of transient faults). */
export const WEB_SOCKET_DELIVERY_FAILED = 'WEB_SOCKET_DELIVERY_FAILED';

/** A failed PostToConnection, with the SDK error as `cause`. */
export class WebSocketDeliveryError extends NexusError {
  constructor(connectionId: string, cause: unknown) {
    super(WEB_SOCKET_DELIVERY_FAILED, `a frame could not be posted to WebSocket connection ${connectionId}: ${describeAwsError(cause)}`, { cause, details: { connectionId } });
  }
}

/** What became of a posted frame. */
export type PostOutcome = 'sent' | 'gone';

/** Options of {@link WebSocketConnectionPoster}. */
export interface WebSocketConnectionPosterOptions {
  /**
   * A client built with `maxAttempts: 1` whose endpoint is the API's connection management URL,
   * `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`.
   */
  client: ApiGatewayManagementApiClient;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/**
 * Posts JSON frames to API Gateway WebSocket connections through the management API
 * (PostToConnection). A connection API Gateway no longer knows (410 `GoneException`: the client
 * went away without a `$disconnect` reaching us yet) resolves `gone`, for the caller to forget
 * it; throttling and 5xx are retried (`callWithRetry`); anything else rejects with
 * `WEB_SOCKET_DELIVERY_FAILED`.
 *
 * @example
 * const poster = new WebSocketConnectionPoster({ client: new ApiGatewayManagementApiClient({ endpoint, maxAttempts: 1 }) });
 * if ((await poster.post(connectionId, { type: 'changed', ... })) === 'gone') await connections.disconnect(connectionId);
 */
export class WebSocketConnectionPoster {
  private readonly client: ApiGatewayManagementApiClient;
  private readonly retry: AwsRetryOptions;

  constructor(options: WebSocketConnectionPosterOptions) {
    this.client = options.client;
    this.retry = options.retry ?? {};
  }

  /** Posts `frame` as one JSON text message. */
  async post(connectionId: string, frame: unknown): Promise<PostOutcome> {
    const data = Buffer.from(JSON.stringify(frame), 'utf8');
    try {
      await callWithRetry('API Gateway PostToConnection', () => this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data })), this.retry);
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw new WebSocketDeliveryError(connectionId, error);
    }
  }
}

function isGone(error: unknown): boolean {
  const candidate = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return candidate.name === 'GoneException' || candidate.$metadata?.httpStatusCode === 410;
}
