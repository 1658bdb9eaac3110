/**
 * Live notifications on AWS: the connections table, the notification log, and per management
 * endpoint the API Gateway client, delivery and publisher. Shared by the WebSocket handler and
 * the pipeline contexts (handlers/aws/awsPipelines.ts).
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DynamoDbConnectionStore } from '../../adapters/aws/DynamoDbConnectionStore';
import { DynamoDbNotificationLog } from '../../adapters/aws/DynamoDbNotificationLog';
import { WebSocketConnectionDelivery } from '../../adapters/aws/WebSocketConnectionDelivery';
import { WebSocketConnectionPoster } from '../../adapters/aws/WebSocketConnectionPoster';
import { WebSocketNotificationPublisher } from '../../adapters/aws/WebSocketNotificationPublisher';
import type { Logger } from '../../core/logging/Logger';
import type { AwsClients } from './awsClients';
import type { AwsBackendConfig } from './awsConfig';

/** The notification side of the AWS system. */
export interface AwsNotifications {
  connections: DynamoDbConnectionStore;
  log: DynamoDbNotificationLog;
  /** Sends to connections of the WebSocket API whose management URL is `endpoint` (one client per endpoint). */
  deliveryTo(endpoint: string): WebSocketConnectionDelivery;
  /** The pipelines' publisher, when the configuration names the management endpoint (NEXUS_WEBSOCKET_ENDPOINT). */
  publisher?: WebSocketNotificationPublisher;
  destroy(): void;
}

/** Builds the notification side; calls nothing yet. */
export function awsNotifications(clients: Pick<AwsClients, 'dynamo'>, config: Pick<AwsBackendConfig, 'names' | 'region' | 'webSocketEndpoint'>, logger: Logger): AwsNotifications {
  const connections = new DynamoDbConnectionStore({ client: clients.dynamo, tableName: config.names.connectionsTable });
  const log = new DynamoDbNotificationLog({ client: clients.dynamo, tableName: config.names.notificationLogTable });
  const byEndpoint = new Map<string, { client: ApiGatewayManagementApiClient; delivery: WebSocketConnectionDelivery }>();
  const deliveryTo = (endpoint: string): WebSocketConnectionDelivery => {
    let found = byEndpoint.get(endpoint);
    if (found === undefined) {
      // maxAttempts 1 and HTTP/1.1, as every client of the backend (awsClients.ts): the poster retries.
      const client = new ApiGatewayManagementApiClient({
        endpoint,
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
        ...(config.region === undefined ? {} : { region: config.region }),
      });
      found = { client, delivery: new WebSocketConnectionDelivery({ connections, poster: new WebSocketConnectionPoster({ client }), logger }) };
      byEndpoint.set(endpoint, found);
    }
    return found.delivery;
  };
  const endpoint = config.webSocketEndpoint;
  const publisher = endpoint === undefined ? undefined : new WebSocketNotificationPublisher({ connections, delivery: deliveryTo(endpoint), log });
  return {
    connections,
    log,
    deliveryTo,
    ...(publisher === undefined ? {} : { publisher }),
    destroy: () => {
      for (const { client } of byEndpoint.values()) client.destroy();
    },
  };
}
