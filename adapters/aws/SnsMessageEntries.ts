import type { MessageAttributeValue, PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { MessagingError, MESSAGING_ERRORS } from '../../core/messaging/MessagingErrors';
import { MAX_MESSAGE_ATTRIBUTES } from '../../core/messaging/QueueMessage';
import type { MessageAttributes, TopicMessage } from '../../core/messaging/QueueMessage';
import { SQS_KEY_ATTRIBUTE } from '../../core/pipeline/lambda/sqsRecords';

/** SNS's limit on one message: its text plus every attribute's name, type and value. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;
const RESERVED_PREFIX = /^(aws|amazon)\./i;
/** What SNS and SQS take as a MessageGroupId or MessageDeduplicationId: printable ASCII, no space. */
const FIFO_ID = /^[\x21-\x7e]+$/;

/**
 * The attributes a message is published with: its own, plus the `aggregateId` string attribute
 * set to the group key when the message lacks it. Standard queues have no message groups, so
 * their consumers (SqsSubscriberQueue, the Lambda SQS runner) key messages by that attribute.
 */
export function snsAttributesOf(message: TopicMessage): MessageAttributes {
  return message.attributes[SQS_KEY_ATTRIBUTE] === undefined ? { ...message.attributes, [SQS_KEY_ATTRIBUTE]: message.groupKey } : message.attributes;
}

/**
 * Refuses what SNS would refuse or deliver wrongly, before anything is sent (the port's checks
 * ran already): attribute names SNS does not take; an `aggregateId` attribute other than the
 * group key (standard queues would key the message differently than FIFO ones); more than 10
 * attributes once the key attribute is added; group keys or deduplication ids outside printable
 * ASCII on a FIFO topic; a message whose base64 text and attributes exceed SNS's 256 KiB.
 * Throws INVALID_MESSAGE naming the message index and field.
 */
export function validateSnsMessages(messages: readonly TopicMessage[], fifo: boolean): void {
  messages.forEach((message, index) => {
    const refuse = (field: string, problem: string): never => {
      throw new MessagingError(MESSAGING_ERRORS.INVALID_MESSAGE, `message ${index}: ${field} ${problem}`, { details: { field: `messages[${index}].${field}`, index } });
    };
    for (const name of Object.keys(message.attributes)) {
      if (!ATTRIBUTE_NAME.test(name) || RESERVED_PREFIX.test(name)) refuse(`attributes.${name}`, 'is not a name SNS takes (letters, digits, _ - . ; not AWS. or Amazon.)');
    }
    const key = message.attributes[SQS_KEY_ATTRIBUTE];
    if (key !== undefined && key !== message.groupKey) refuse(`attributes.${SQS_KEY_ATTRIBUTE}`, `must equal groupKey on SNS (standard queues key messages by it); got "${key}", groupKey "${message.groupKey}"`);
    const attributes = snsAttributesOf(message);
    if (Object.keys(attributes).length > MAX_MESSAGE_ATTRIBUTES) refuse('attributes', `must leave room for the ${SQS_KEY_ATTRIBUTE} attribute: at most ${MAX_MESSAGE_ATTRIBUTES - 1} without it`);
    if (fifo && !FIFO_ID.test(message.groupKey)) refuse('groupKey', 'must be printable ASCII without spaces on a FIFO topic');
    if (fifo && !FIFO_ID.test(message.deduplicationId)) refuse('deduplicationId', 'must be printable ASCII without spaces on a FIFO topic');
    const bytes = base64Length(message.body.length) + Object.entries(attributes).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value), 0);
    if (bytes > SNS_MAX_MESSAGE_BYTES) refuse('body', `is ${bytes} bytes as SNS counts it (base64 text and attributes); SNS takes at most ${SNS_MAX_MESSAGE_BYTES}`);
  });
}

/** The PublishBatch entry of a message: body as base64 text (SNS messages are text), envelope attributes as String attributes. */
export function publishEntry(message: TopicMessage, id: string, fifo: boolean): PublishBatchRequestEntry {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(snsAttributesOf(message))) attributes[name] = { DataType: 'String', StringValue: value };
  return {
    Id: id,
    Message: message.body.toString('base64'),
    MessageAttributes: attributes,
    ...(fifo ? { MessageGroupId: message.groupKey, MessageDeduplicationId: message.deduplicationId } : {}),
  };
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}
