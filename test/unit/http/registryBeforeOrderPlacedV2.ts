/**
 * A schema registry as it was before `OrderPlaced` v2 (every schema of the repository but that
 * one), a release that registers v2 later, and the running of an order pipeline over records
 * encoded with either: what the "v1 written before v2 existed" tests share.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { from, lastValueFrom, toArray } from 'rxjs';
import { SqliteStreamLog } from '../../../adapters/embedded';
import { silentLogger } from '../../../core/logging/Logger';
import type { PipelineContext, PipelineDefinition } from '../../../core/pipeline/PipelineDefinition';
import type { ReadModelStore } from '../../../core/readmodel/ReadModelStore';
import type { SourceRecord } from '../../../core/streams/RecordSource';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderUpcasters } from '../../../domain';
import { createSchemaEnvironment, REPOSITORY_SCHEMAS_DIR } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';

/** The registry before v2, its release, and pipeline runs over its records. */
export interface RegistryBeforeOrderPlacedV2 {
  /** Encodes as a writer did when v1 was the latest OrderPlaced. */
  readonly v1Only: SchemaEnvironment;
  /** Registers every schema of the repository (OrderPlaced v2 joins), as a later release does. */
  releaseV2(): Promise<SchemaEnvironment>;
  /** Runs `pipeline` over `records`, in order, into `readModels`, decoding with `environment`'s codec. */
  project(pipeline: PipelineDefinition, environment: SchemaEnvironment, readModels: ReadModelStore, records: readonly SourceRecord[]): Promise<void>;
  close(): void;
}

/** A fresh in-memory registry holding every schema but OrderPlaced v2. */
export async function registryBeforeOrderPlacedV2(): Promise<RegistryBeforeOrderPlacedV2> {
  const schemasV1Dir = mkdtempSync(join(tmpdir(), 'nexus-schemas-v1-'));
  for (const file of readdirSync(REPOSITORY_SCHEMAS_DIR)) {
    if (file.endsWith('.avsc') && file !== 'nexus.order.OrderPlaced.v2.avsc') copyFileSync(join(REPOSITORY_SCHEMAS_DIR, file), join(schemasV1Dir, file));
  }
  const db = new Database(':memory:');
  const v1Only = await createSchemaEnvironment({ db, schemasDir: schemasV1Dir });
  return {
    v1Only,
    releaseV2: () => createSchemaEnvironment({ db }),
    async project(pipeline, environment, readModels, records) {
      const context: PipelineContext = {
        pipelineName: pipeline.name,
        codec: environment.codec,
        upcasters: new UpcasterRegistry(orderUpcasters),
        readModels,
        publisher: new SqliteStreamLog(db),
        logger: silentLogger,
      };
      await lastValueFrom(pipeline.pipe(from(records), context).pipe(toArray()));
    },
    close() {
      db.close();
      rmSync(schemasV1Dir, { recursive: true, force: true });
    },
  };
}
