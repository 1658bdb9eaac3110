/**
 * The Nexus framework's public API: ports, the wire format, schema governance, event store
 * contracts, command handling, the pipeline DSL runtime and the HTTP app. Adapters implement
 * these ports; nothing outside this list is public.
 */
export { NexusError, hasErrorCode, errorCodeOf } from './errors/NexusError';
export type { NexusErrorOptions } from './errors/NexusError';

export {
  encodeGlueFrame,
  decodeGlueFrame,
  uuidToBytes,
  bytesToUuid,
  MalformedFrameError,
  MALFORMED_FRAME,
  GLUE_HEADER_VERSION,
  GLUE_HEADER_LENGTH,
  GLUE_COMPRESSION_NONE,
  GLUE_COMPRESSION_ZLIB,
} from './wire/GlueWireFormat';
export type { GlueFrame, GlueCompression, MalformedFrameReason } from './wire/GlueWireFormat';

export { COMPATIBILITY_MODES, DEFAULT_COMPATIBILITY_MODE, isCompatibilityMode } from './schema/CompatibilityMode';
export type { CompatibilityMode } from './schema/CompatibilityMode';
export { SCHEMA_REGISTRY_ERRORS } from './schema/SchemaRegistry';
export type { SchemaRegistry, RegisteredSchema } from './schema/SchemaRegistry';
export {
  UnknownSchemaVersionError,
  UnknownSchemaError,
  IncompatibleSchemaError,
  SchemaRegistrationDisabledError,
  InvalidSchemaError,
  isIncompatibleSchemaError,
  isUnknownSchemaVersionError,
} from './schema/SchemaRegistryErrors';
export { checkCompatibility } from './schema/compatibility';
export type { CompatibilityVerdict, CompatibilityViolation } from './schema/compatibility';
export { loadSchemaCatalog } from './schema/SchemaCatalog';
export type { SchemaCatalog, SchemaCatalogEntry } from './schema/SchemaCatalog';
export { syncSchemas } from './schema/syncSchemas';
export { checkSchemaChanges, formatSchemaChangeProblem } from './schema/checkSchemaChanges';
export { EVENT_CODEC_ERRORS, isWarmDecoder, isWarmEncoder } from './schema/EventCodec';
export type { EventCodec, EncodedPayload, DecodedPayload, WarmDecoder, WarmEncoder } from './schema/EventCodec';
export { AvroEventCodec, AVRO_EVENT_CODEC_DEFAULTS } from './schema/AvroEventCodec';
export { LOSSLESS_LONG, losslessLongRegistry, isAvroLong } from './schema/losslessLong';
export type { AvroLong } from './schema/losslessLong';
export type { AvroEventCodecOptions } from './schema/AvroEventCodec';
export {
  UnregisteredEventError,
  InvalidEventPayloadError,
  isInvalidEventPayloadError,
  isUnregisteredEventError,
} from './schema/EventCodecErrors';

export type { EventEnvelope } from './events/EventEnvelope';
export { EVENT_STORE_ERRORS } from './events/EventStore';
export type {
  EventStore,
  NewEvent,
  StoredEvent,
  AppendContext,
  AppendOptions,
  AppendOutcome,
  AppendResult,
  Page,
  ReadStreamOptions,
  ReadTimeRangeOptions,
} from './events/EventStore';
export type { EventLog, LoggedEventStore, PositionedEvent, PositionedAppendResult } from './events/EventLog';
export { AppendEncoder } from './events/AppendEncoder';
export type { AppendEncoderDependencies, EncodedEvent } from './events/AppendEncoder';
export { EVENT_READ_LIMITS } from './events/readOptions';
export { AppendTooLargeError, ConcurrencyConflictError, InvalidReadError, EventStoreUnavailableError, isConcurrencyConflictError } from './events/EventStoreErrors';

export type { SourceRecord, RecordSource, OutgoingRecord, StreamPublisher } from './streams/RecordSource';
export type { CheckpointStore } from './checkpoint/CheckpointStore';
export { DEAD_LETTER_ERRORS } from './deadletter/DeadLetterStore';
export type { DeadLetterStore, DeadLetter, NewDeadLetter, ListDeadLettersOptions } from './deadletter/DeadLetterStore';
export { READ_MODEL_ERRORS, RANGE_OPERATORS, isSyncReadModelCollection } from './readmodel/ReadModelStore';
export type {
  RangeOperator,
  ReadModelRange,
  ReadModelStore,
  ReadModelCollection,
  ReadModelCollectionOptions,
  ReadModelDocument,
  ReadModelQuery,
  ReadModelPage,
  SortDirection,
  SyncReadModelCollection,
} from './readmodel/ReadModelStore';
export { isSearchableReadModelCollection, READ_MODEL_SEARCH_DEFAULTS, searchTermsOf } from './readmodel/ReadModelSearch';
export type { ReadModelSearchHit, ReadModelSearchPage, ReadModelSearchQuery, SearchableReadModelCollection, SearchTerm } from './readmodel/ReadModelSearch';
export { createJsonLogger, silentLogger } from './logging/Logger';
export type { Logger, LogLevel, JsonLoggerOptions } from './logging/Logger';
export { UpcasterRegistry } from './upcasting/UpcasterRegistry';
export type { Upcaster } from './upcasting/Upcaster';
export type { UpcastResult } from './upcasting/UpcasterRegistry';

export * from './command';
export * from './snapshot';
export * from './saga';
export * from './idempotency';
export { isWellFormedText, findIllFormedText } from './text/wellFormedText';
export * from './pipeline';
export * from './http';
export * from './auth';
