import type { CommandResult } from '../command/CommandService';

/** A command a pipeline sends, with the key that makes sending it again harmless. */
export interface GatewayCommand {
  commandType: string;
  /** The command's JSON body, as `POST /api/commands/{type}` would take it. */
  body: Record<string, unknown>;
  /** Who sends it (the idempotency keys' client), e.g. `saga:fulfilment`. */
  sender: string;
  /** Unique per command of the sender: the same key is the same command, sent at most once. */
  idempotencyKey: string;
  correlationId: string;
  causationId?: string;
  /** Copied into the envelope of every event the command produces. */
  metadata?: Record<string, string>;
}

/** What became of a sent command; `replayed` when it had been sent before and this is its stored outcome. */
export type SentCommand =
  | { outcome: 'accepted'; result: CommandResult; replayed: boolean }
  /** The command was refused for good (invalid, unknown, or a business rule): sending it again changes nothing. */
  | { outcome: 'rejected'; code: string; message: string; replayed: boolean };

/**
 * The `commands` port of a pipeline: sends commands through the command service, at most once
 * per idempotency key, so a pipeline that runs a record again (after a crash, a retry, a
 * redelivery) does not decide the command twice.
 *
 * Errors: a transient failure (the store down, a conflict that outlived its retries, the key
 * still held by a crashed sender after its wait) rejects the promise, leaving the key free or
 * held, so the caller may retry; a refusal is an outcome, not an error.
 */
export interface CommandGateway {
  send(command: GatewayCommand): Promise<SentCommand>;
}
