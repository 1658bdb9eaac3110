import { hasErrorCode, NexusError } from '../errors/NexusError';
import type { NexusErrorOptions } from '../errors/NexusError';

/** Error codes owned by the messaging ports (topics, subscriber queues, routing). */
export const MESSAGING_ERRORS = {
  /** A message of a publish is unfit to send (details.field names what); nothing of the batch was published. */
  INVALID_MESSAGE: 'MESSAGING_INVALID_MESSAGE',
  /** No topic of that name is declared. */
  UNKNOWN_TOPIC: 'MESSAGING_UNKNOWN_TOPIC',
  /** No subscriber queue of that name is declared. */
  UNKNOWN_QUEUE: 'MESSAGING_UNKNOWN_QUEUE',
  /** A topology or routing declaration contradicts itself (details say where). */
  INVALID_DECLARATION: 'MESSAGING_INVALID_DECLARATION',
  /** An event type that the routing table does not name (a deploy mistake: declare it). */
  EVENT_NOT_ROUTED: 'MESSAGING_EVENT_NOT_ROUTED',
  /** A pipeline routed to a topic, but no topic publisher was wired into its context. */
  NO_TOPIC_PUBLISHER: 'MESSAGING_NO_TOPIC_PUBLISHER',
} as const;

export type MessagingErrorCode = (typeof MESSAGING_ERRORS)[keyof typeof MESSAGING_ERRORS];

/** A failure of a messaging port; branch on `code` ({@link MESSAGING_ERRORS}). */
export class MessagingError extends NexusError {
  constructor(code: MessagingErrorCode, message: string, options: NexusErrorOptions = {}) {
    super(code, message, options);
  }
}

/** True when `error` carries one of the {@link MESSAGING_ERRORS} codes (or `code`, when given). */
export function isMessagingError(error: unknown, code?: MessagingErrorCode): boolean {
  if (code !== undefined) return hasErrorCode(error, code);
  return Object.values(MESSAGING_ERRORS).some((known) => hasErrorCode(error, known));
}
