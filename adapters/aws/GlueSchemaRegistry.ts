import {
  CreateSchemaCommand,
  DataFormat,
  GetSchemaByDefinitionCommand,
  GetSchemaCommand,
  GetRegistryCommand,
  GetSchemaVersionCommand,
  ListSchemasCommand,
  RegisterSchemaVersionCommand,
  UpdateSchemaCommand,
} from '@aws-sdk/client-glue';
import type { GetSchemaResponse, GetSchemaVersionInput, GetSchemaVersionResponse, GlueClient, SchemaId } from '@aws-sdk/client-glue';
import { LRUCache } from 'lru-cache';
import { admitSchemaVersion, parseSchemaDefinition } from '../../core/schema/admitSchemaVersion';
import { canonicalOf } from '../../core/schema/canonicalSchema';
import { DEFAULT_COMPATIBILITY_MODE } from '../../core/schema/CompatibilityMode';
import type { CompatibilityMode } from '../../core/schema/CompatibilityMode';
import type { RegisteredSchema, SchemaRegistry } from '../../core/schema/SchemaRegistry';
import { UnknownSchemaError, UnknownSchemaVersionError } from '../../core/schema/SchemaRegistryErrors';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { GlueRegistryNotFoundError, glueErrorName, glueRefusal, GlueRequestFailedError } from './glueSchemaRegistryErrors';
import { compatibilityModeOf, GLUE_COMPATIBILITY, glueDefinitionText, isSameSchema, registeredSchemaOf, schemaNameOf } from './glueSchemaShapes';
import { awaitAvailableSchemaVersion } from './glueSchemaVersionWaiter';

/** Options of {@link GlueSchemaRegistry}. */
export interface GlueSchemaRegistryOptions {
  /** A Glue client built with `maxAttempts: 1` (transient faults are retried here). */
  client: GlueClient;
  /** The Glue registry that holds Nexus's schemas; it must exist (it is infrastructure). */
  registryName: string;
  /** Retries of transient faults (throttling, 5xx, sockets). @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
  /** Entries per cache (definition -> version id; version id -> schema). @defaultValue 1000 */
  cacheSize?: number;
  /** How long a cached lookup is trusted; bounds how late a deleted version is noticed. @defaultValue 300000 */
  cacheTtlMs?: number;
  /** Pause between two reads of a PENDING version. @defaultValue 250 */
  pendingPollIntervalMs?: number;
  /** Longest wait for a PENDING version to become AVAILABLE. @defaultValue 30000 */
  maxPendingWaitMs?: number;
}

/** Defaults of {@link GlueSchemaRegistryOptions}. */
export const GLUE_SCHEMA_REGISTRY_DEFAULTS = {
  cacheSize: 1000,
  cacheTtlMs: 300_000,
  pendingPollIntervalMs: 250,
  maxPendingWaitMs: 30_000,
} as const;

/**
 * The {@link SchemaRegistry} on the AWS Glue Schema Registry. Definitions are stored as compact
 * key-sorted JSON (`glueDefinitionText`: lossless, unlike avsc's canonical export), so a
 * definition that differs only in layout is found by GetSchemaByDefinition, which matches text;
 * one that differs otherwise but has the same canonical form (`canonicalSchema`) is found among
 * the versions before anything is registered. `register` looks up first, then decides the new
 * version with the same check as the embedded registry (`admitSchemaVersion`) before CreateSchema
 * (version 1, with the schema's compatibility mode) or RegisterSchemaVersion; on AWS, Glue checks
 * again and may end the version in FAILURE. PENDING versions are waited out, bounded. Lookups by
 * definition and by version id are cached (bounded LRU with a TTL), so a warm decode never calls
 * Glue. Nexus's check and the write are not atomic: two writers registering different versions at
 * once are both checked against the same predecessor; Glue's own check on AWS is what catches it.
 *
 * Errors: the port's (UNKNOWN_SCHEMA, UNKNOWN_SCHEMA_VERSION, INCOMPATIBLE_SCHEMA,
 * SCHEMA_REGISTRATION_DISABLED, INVALID_SCHEMA), and GLUE_REGISTRY_NOT_FOUND,
 * GLUE_SCHEMA_VERSION_FAILED, GLUE_SCHEMA_VERSION_STILL_PENDING, SCHEMA_REGISTRY_UNAVAILABLE
 * (transient faults through every retry), GLUE_REQUEST_FAILED (any other refusal), with the SDK
 * error as `cause`.
 *
 * @example
 * const registry = new GlueSchemaRegistry({ client: new GlueClient({ maxAttempts: 1 }), registryName: 'nexus' });
 * const v1 = await registry.register('nexus.order.OrderPlaced', definition);
 */
export class GlueSchemaRegistry implements SchemaRegistry {
  private readonly client: GlueClient;
  private readonly registryName: string;
  private readonly retry: AwsRetryOptions;
  private readonly wait: { pollIntervalMs: number; maxWaitMs: number };
  private readonly idByDefinition: LRUCache<string, string>;
  private readonly byVersionId: LRUCache<string, RegisteredSchema>;

  constructor(options: GlueSchemaRegistryOptions) {
    const settings = { ...GLUE_SCHEMA_REGISTRY_DEFAULTS, ...options };
    this.client = settings.client;
    this.registryName = settings.registryName;
    this.retry = settings.retry ?? {};
    this.wait = { pollIntervalMs: settings.pendingPollIntervalMs, maxWaitMs: settings.maxPendingWaitMs };
    const cache = { max: settings.cacheSize, ttl: settings.cacheTtlMs };
    this.idByDefinition = new LRUCache<string, string>(cache);
    this.byVersionId = new LRUCache<string, RegisteredSchema>(cache);
  }

  async register(schemaName: string, definition: string, options: { compatibility?: CompatibilityMode } = {}): Promise<RegisteredSchema> {
    const canonical = canonicalOf(parseSchemaDefinition(schemaName, definition));
    const text = glueDefinitionText(definition);
    const existing = await this.lookUp(schemaName, canonical, text);
    if (existing !== undefined) return existing;
    let schema = await this.describeSchema(schemaName);
    if (schema === undefined) {
      const created = await this.createSchema(schemaName, canonical, text, options.compatibility ?? DEFAULT_COMPATIBILITY_MODE);
      if (created !== undefined) return created;
      // Another writer created the schema meanwhile; its first version may be this definition.
      schema = await this.describeSchema(schemaName);
      if (schema === undefined) throw new UnknownSchemaError(schemaName);
    }
    const previous = await this.listVersions(schemaName);
    // The same schema written another way (key order, namespace spelling) is the same version.
    const same = previous.find((version) => isSameSchema(canonical, version.definition));
    if (same !== undefined) return this.rememberDefinition(schemaName, canonical, same);
    admitSchemaVersion(schemaName, compatibilityModeOf(schema), text, previous.map((version) => version.definition));
    const answer = await this.call('RegisterSchemaVersion', () =>
      this.client.send(new RegisterSchemaVersionCommand({ SchemaId: this.schemaId(schemaName), SchemaDefinition: text })),
    ).catch((error: unknown) => {
      throw glueRefusal('RegisterSchemaVersion', schemaName, error);
    });
    return this.settle(schemaName, canonical, text, answer.SchemaVersionId, answer.VersionNumber, answer.Status);
  }

  async findByDefinition(schemaName: string, definition: string): Promise<RegisteredSchema | undefined> {
    const canonical = canonicalOf(parseSchemaDefinition(schemaName, definition));
    const found = await this.lookUp(schemaName, canonical, glueDefinitionText(definition));
    if (found !== undefined) return found;
    const same = (await this.listVersions(schemaName)).find((version) => isSameSchema(canonical, version.definition));
    return same === undefined ? undefined : this.rememberDefinition(schemaName, canonical, same);
  }

  async getByVersionId(schemaVersionId: string): Promise<RegisteredSchema> {
    const id = schemaVersionId.toLowerCase();
    const cached = this.byVersionId.get(id);
    if (cached !== undefined) return cached;
    const answer = await this.readVersion({ SchemaVersionId: id }, (cause) => new UnknownSchemaVersionError(schemaVersionId, cause));
    return this.remember(registeredSchemaOf(await this.untilAvailable(answer, { SchemaVersionId: id })));
  }

  async getVersion(schemaName: string, version: number): Promise<RegisteredSchema> {
    const input: GetSchemaVersionInput = { SchemaId: this.schemaId(schemaName), SchemaVersionNumber: { VersionNumber: version } };
    const answer = await this.readVersion(input, (cause) => new UnknownSchemaError(schemaName, version, cause));
    return this.remember(registeredSchemaOf(await this.untilAvailable(answer, input)));
  }

  /**
   * GetSchemaVersion with LatestVersion. A latest version Glue refused (FAILURE) fails with
   * GLUE_SCHEMA_VERSION_FAILED instead of falling back: a writer must not quietly encode with an
   * older version than the one the deployment registered.
   */
  async getLatest(schemaName: string): Promise<RegisteredSchema> {
    const input: GetSchemaVersionInput = { SchemaId: this.schemaId(schemaName), SchemaVersionNumber: { LatestVersion: true } };
    const answer = await this.readVersion(input, (cause) => new UnknownSchemaError(schemaName, undefined, cause));
    return this.remember(registeredSchemaOf(await this.untilAvailable(answer, { SchemaVersionId: answer.SchemaVersionId })));
  }

  /** Versions 1..LatestSchemaVersion read one by one (ListSchemaVersions carries no definitions); deleted and FAILURE versions are left out. */
  async listVersions(schemaName: string): Promise<RegisteredSchema[]> {
    const latest = (await this.describeSchema(schemaName))?.LatestSchemaVersion ?? 0;
    const versions: RegisteredSchema[] = [];
    for (let number = 1; number <= latest; number++) {
      const input: GetSchemaVersionInput = { SchemaId: this.schemaId(schemaName), SchemaVersionNumber: { VersionNumber: number } };
      const answer = await this.readVersion(input, () => undefined);
      if (answer === undefined || answer.Status === 'FAILURE' || answer.Status === 'DELETING') continue;
      versions.push(this.remember(registeredSchemaOf(await this.untilAvailable(answer, input))));
    }
    return versions;
  }

  /** ListSchemas, every page, schemas being deleted left out. */
  async listSchemaNames(): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListSchemas', () =>
        this.client.send(new ListSchemasCommand({ RegistryId: { RegistryName: this.registryName }, MaxResults: 100, NextToken: nextToken })),
      ).catch((error: unknown) => {
        throw glueRefusal('ListSchemas', undefined, error);
      });
      for (const schema of page.Schemas ?? []) {
        if (schema.SchemaName !== undefined && schema.SchemaStatus !== 'DELETING') names.push(schema.SchemaName);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return names.sort();
  }

  async getCompatibility(schemaName: string): Promise<CompatibilityMode> {
    const schema = await this.describeSchema(schemaName);
    if (schema === undefined) throw new UnknownSchemaError(schemaName);
    return compatibilityModeOf(schema);
  }

  /** UpdateSchema, keeping the schema's checkpoint: Glue's `_ALL` checks then span every version, as Nexus's do. */
  async setCompatibility(schemaName: string, mode: CompatibilityMode): Promise<void> {
    const schema = await this.describeSchema(schemaName);
    if (schema === undefined) throw new UnknownSchemaError(schemaName);
    const checkpoint = { VersionNumber: schema.SchemaCheckpoint ?? 1 };
    await this.call('UpdateSchema', () =>
      this.client.send(new UpdateSchemaCommand({ SchemaId: this.schemaId(schemaName), Compatibility: GLUE_COMPATIBILITY[mode], SchemaVersionNumber: checkpoint })),
    ).catch((error: unknown) => {
      throw glueErrorName(error) === 'EntityNotFoundException' ? new UnknownSchemaError(schemaName, undefined, error) : glueRefusal('UpdateSchema', schemaName, error);
    });
  }

  /** Resolves when the configured registry exists; else GLUE_REGISTRY_NOT_FOUND (lookups alone cannot tell a missing registry from an empty one). */
  async assertRegistryExists(): Promise<void> {
    await this.call('GetRegistry', () => this.client.send(new GetRegistryCommand({ RegistryId: { RegistryName: this.registryName } }))).catch((error: unknown) => {
      throw glueErrorName(error) === 'EntityNotFoundException' ? new GlueRegistryNotFoundError(this.registryName, error) : glueRefusal('GetRegistry', undefined, error);
    });
  }

  /** The registered version of this definition: cache (by canonical form), then GetSchemaByDefinition (by text). */
  private async lookUp(schemaName: string, canonical: string, text: string): Promise<RegisteredSchema | undefined> {
    const cachedId = this.idByDefinition.get(`${schemaName}\n${canonical}`);
    const cached = cachedId === undefined ? undefined : this.byVersionId.get(cachedId);
    if (cached !== undefined) return cached;
    const answer = await this.call('GetSchemaByDefinition', () =>
      this.client.send(new GetSchemaByDefinitionCommand({ SchemaId: this.schemaId(schemaName), SchemaDefinition: text })),
    ).catch((error: unknown) => {
      // Glue answers EntityNotFound both for an unknown schema and for an unknown definition.
      if (glueErrorName(error) === 'EntityNotFoundException') return undefined;
      throw glueRefusal('GetSchemaByDefinition', schemaName, error);
    });
    if (answer?.SchemaVersionId === undefined || answer.Status === 'FAILURE' || answer.Status === 'DELETING') return undefined;
    return this.rememberDefinition(schemaName, canonical, await this.getByVersionId(answer.SchemaVersionId));
  }

  /** CreateSchema: version 1 with the schema's mode; undefined when another writer created the schema first. */
  private async createSchema(schemaName: string, canonical: string, text: string, mode: CompatibilityMode): Promise<RegisteredSchema | undefined> {
    const input = { RegistryId: { RegistryName: this.registryName }, SchemaName: schemaName, DataFormat: DataFormat.AVRO, Compatibility: GLUE_COMPATIBILITY[mode], SchemaDefinition: text };
    const created = await this.call('CreateSchema', () => this.client.send(new CreateSchemaCommand(input))).catch((error: unknown) => {
      const name = glueErrorName(error);
      if (name === 'AlreadyExistsException') return undefined;
      // The only entity CreateSchema needs is the registry.
      if (name === 'EntityNotFoundException') throw new GlueRegistryNotFoundError(this.registryName, error);
      throw glueRefusal('CreateSchema', schemaName, error);
    });
    if (created === undefined) return undefined;
    return this.settle(schemaName, canonical, text, created.SchemaVersionId, created.LatestSchemaVersion ?? 1, created.SchemaVersionStatus);
  }

  /** Waits out a version just written, then caches and returns it. */
  private async settle(schemaName: string, canonical: string, text: string, id: string | undefined, version: number | undefined, status: string | undefined): Promise<RegisteredSchema> {
    if (id === undefined || version === undefined) throw new GlueRequestFailedError('register', new Error(`Glue answered without a version id or number for ${schemaName}`));
    const subject = { schemaName, schemaVersionId: id };
    await awaitAvailableSchemaVersion<{ Status?: string }>({ Status: status }, () => this.readVersion({ SchemaVersionId: id }, (cause) => new UnknownSchemaVersionError(id, cause)), subject, this.wait);
    return this.rememberDefinition(schemaName, canonical, this.remember({ schemaVersionId: id.toLowerCase(), schemaName, version, definition: text }));
  }

  private untilAvailable(answer: GetSchemaVersionResponse, input: GetSchemaVersionInput): Promise<GetSchemaVersionResponse> {
    const subject = { schemaName: schemaNameOf(answer), schemaVersionId: answer.SchemaVersionId ?? '' };
    return awaitAvailableSchemaVersion(answer, () => this.readVersion(input, (cause) => new UnknownSchemaVersionError(subject.schemaVersionId, cause)), subject, this.wait);
  }

  /** GetSchemaVersion; `missing` decides what an unknown version becomes (an error to throw, or undefined). */
  private async readVersion<M extends Error | undefined>(input: GetSchemaVersionInput, missing: (cause: unknown) => M): Promise<GetSchemaVersionResponse | Exclude<M, Error>> {
    try {
      return await this.call('GetSchemaVersion', () => this.client.send(new GetSchemaVersionCommand(input)));
    } catch (error) {
      // InvalidInput: an id that is not a UUID names no version either.
      const name = glueErrorName(error);
      if (name !== 'EntityNotFoundException' && name !== 'InvalidInputException') throw glueRefusal('GetSchemaVersion', undefined, error);
      const outcome = missing(error);
      if (outcome instanceof Error) throw outcome;
      return outcome as Exclude<M, Error>;
    }
  }

  /** GetSchema; undefined when the schema (or the registry) does not exist. */
  private async describeSchema(schemaName: string): Promise<GetSchemaResponse | undefined> {
    return this.call('GetSchema', () => this.client.send(new GetSchemaCommand({ SchemaId: this.schemaId(schemaName) }))).catch((error: unknown) => {
      if (glueErrorName(error) === 'EntityNotFoundException') return undefined;
      throw glueRefusal('GetSchema', schemaName, error);
    });
  }

  private remember(registered: RegisteredSchema): RegisteredSchema {
    this.byVersionId.set(registered.schemaVersionId, registered);
    return registered;
  }

  private rememberDefinition(schemaName: string, canonical: string, registered: RegisteredSchema): RegisteredSchema {
    this.idByDefinition.set(`${schemaName}\n${canonical}`, registered.schemaVersionId);
    return this.remember(registered);
  }

  private schemaId(schemaName: string): SchemaId {
    return { RegistryName: this.registryName, SchemaName: schemaName };
  }

  private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    return callWithRetry(`Glue ${operation}`, request, this.retry);
  }
}
