/** Why and where a record was parked. */
export interface DeadLetter {
  /** Increasing id: parked order. */
  id: number;
  pipelineName: string;
  key: string;
  sourcePosition: number;
  /** Original bytes, untouched. */
  record: Buffer;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  /** Set when the record was parked only because an earlier record of its key is parked. */
  parkedBehindId: number | null;
  parkedAt: string;
  status: 'parked' | 'redriven' | 'skipped';
  resolvedAt: string | null;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'parkedAt' | 'status' | 'resolvedAt'>;

export interface ListDeadLettersOptions {
  pipelineName?: string;
  key?: string;
  /** Default 'parked'. */
  status?: DeadLetter['status'] | 'all';
  limit?: number;
}

/** Error codes owned by the DeadLetterStore port. */
export const DEAD_LETTER_ERRORS = {
  NOT_FOUND: 'DEAD_LETTER_NOT_FOUND',
  NOT_PARKED: 'DEAD_LETTER_NOT_PARKED',
  /** The record is larger than the store can keep; nothing was written. details: pipelineName, key, bytes, maxBytes. */
  TOO_LARGE: 'DEAD_LETTER_TOO_LARGE',
  /** The storage engine failed; retryable. details: operation. */
  UNAVAILABLE: 'DEAD_LETTER_UNAVAILABLE',
} as const;

/** Parked records, per pipeline and key, in parked order. */
export interface DeadLetterStore {
  park(entry: NewDeadLetter): Promise<DeadLetter>;
  /** The oldest still-parked entry of `key` in `pipelineName`, if any. */
  oldestParked(pipelineName: string, key: string): Promise<DeadLetter | undefined>;
  /** True when `key` has a parked record in `pipelineName`: later records must park behind it. */
  isKeyParked(pipelineName: string, key: string): Promise<boolean>;
  list(options?: ListDeadLettersOptions): Promise<DeadLetter[]>;
  get(id: number): Promise<DeadLetter>;
  /** Marks a parked entry as redriven (applied) or skipped. */
  resolve(id: number, status: 'redriven' | 'skipped'): Promise<void>;
  /** Records a failed redrive attempt: keeps it parked with the new error. */
  recordFailure(id: number, errorCode: string, errorMessage: string, attempts: number): Promise<void>;
}
