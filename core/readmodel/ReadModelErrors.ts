import { NexusError } from '../errors/NexusError';
import { READ_MODEL_ERRORS } from './ReadModelStore';

/** A query a read model store refuses: bad field name, value, limit or cursor (every backend). */
export class InvalidReadModelQueryError extends NexusError {
  constructor(message: string, details: Record<string, unknown>) {
    super(READ_MODEL_ERRORS.INVALID_QUERY, message, { details });
  }
}
