import { NexusError, hasErrorCode } from '../errors/NexusError';

/** Error codes owned by command handling. */
export const COMMAND_ERRORS = {
  /** No aggregate declares this command type; details: commandType. */
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  /** The command body failed validation; details: commandType, field (dotted path such as `items[0].quantity`). */
  INVALID_COMMAND: 'INVALID_COMMAND',
} as const;

/** A command type no registered aggregate handles. */
export class UnknownCommandError extends NexusError {
  constructor(commandType: string) {
    super(COMMAND_ERRORS.UNKNOWN_COMMAND, `unknown command type "${commandType}"`, { details: { commandType } });
  }
}

/**
 * A command body that does not parse. `field` is the dotted path of the offending value
 * (`items[0].quantity`), absent when the body as a whole is wrong (not a JSON object).
 */
export class CommandValidationError extends NexusError {
  readonly field: string | undefined;

  constructor(field: string | undefined, message: string, details: Record<string, unknown> = {}) {
    super(COMMAND_ERRORS.INVALID_COMMAND, message, { details: field === undefined ? details : { ...details, field } });
    this.field = field;
  }
}

/** True for a command type no aggregate handles. */
export function isUnknownCommandError(error: unknown): boolean {
  return hasErrorCode(error, COMMAND_ERRORS.UNKNOWN_COMMAND);
}

/** True for a command body that failed validation. */
export function isCommandValidationError(error: unknown): boolean {
  return hasErrorCode(error, COMMAND_ERRORS.INVALID_COMMAND);
}
