import { validateSnsMessages } from '../../../adapters/aws/SnsMessageEntries';
import { MAX_MESSAGE_BYTES, validateTopicMessages } from '../../../core/messaging/QueueMessage';
import type { TopicMessage } from '../../../core/messaging/QueueMessage';

// Both backends must refuse the same messages: what the port accepts, SNS must take.
describe('the message size limit of the topics port', () => {
  const attributes = {
    eventId: '018f4c1e-7a2b-7c3d-9e8f-0123456789ab',
    eventType: 'OrderConfirmed',
    aggregateType: 'Order',
    aggregateId: 'order-0123456789abcdef0123456789abcdef',
    schemaVersion: '2',
    correlationId: 'c'.repeat(128),
  };
  const message = (bytes: number): TopicMessage => ({ body: Buffer.alloc(bytes, 7), groupKey: attributes.aggregateId, deduplicationId: attributes.eventId, attributes });

  it('lets a body of the largest accepted size through SNS, as base64 with the envelope attributes', () => {
    // given the largest message the port accepts
    const largest = [message(MAX_MESSAGE_BYTES)];
    // when / then
    expect(() => validateTopicMessages(largest)).not.toThrow();
    expect(() => validateSnsMessages(largest, true)).not.toThrow();
  });

  it('refuses one byte more in the port itself, naming the body', () => {
    // when / then
    expect(() => validateTopicMessages([message(MAX_MESSAGE_BYTES + 1)])).toThrow(expect.objectContaining({ code: 'MESSAGING_INVALID_MESSAGE' }) as Error);
  });
});
