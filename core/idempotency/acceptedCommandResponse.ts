import type { CommandResult } from '../command/CommandService';
import type { StoredResponse } from './IdempotencyStore';

/**
 * The response stored with an idempotency key for an accepted command: 202 and the result as
 * JSON. The HTTP API answers it and replays it; the saga gateway reads it back on a resend.
 */
export function acceptedCommandResponse(result: CommandResult): StoredResponse {
  return { status: 202, contentType: 'application/json', body: JSON.stringify(result) };
}
