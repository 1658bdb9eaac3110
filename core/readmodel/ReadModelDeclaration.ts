/**
 * A read model declared in code, next to the pipeline that projects it: its collection, its
 * fields with types, which fields can be filtered and sorted, which are full-text, and the field
 * that names the owner (for the `own`-scoped grants of the authorization policy). The HTTP app
 * serves every declared read model at `/api/queries/{resourceType}` from this alone, the stores
 * lay out their tables or indices from it, and the OpenAPI document describes it.
 */
import type { ReadModelCollectionOptions } from './ReadModelStore';

/** The type of a declared field (a top-level field of the document's `data`). */
export type ReadModelFieldType = 'string' | 'number' | 'integer' | 'boolean' | 'timestamp';

/** One declared field. */
export interface ReadModelField {
  type: ReadModelFieldType;
  /** Equality filter `?<field>=<value>`. @defaultValue false */
  filterable?: boolean;
  /** `?sort=<field>`. @defaultValue false */
  sortable?: boolean;
  /** Ranked full-text search (`/search?q=`). @defaultValue false */
  fullText?: boolean;
  /** Allowed values of a filterable string field; others are refused with 400. */
  values?: readonly string[];
  /** What it holds, for the OpenAPI document. */
  description?: string;
}

/** A read model as declared. */
export interface ReadModelDeclaration {
  /** The URL segment and policy resource type, e.g. `orders` (kebab-case). */
  resourceType: string;
  /** The read-model collection the pipeline writes. @defaultValue resourceType */
  collection?: string;
  /** The singular noun of one document, e.g. `order` (the policy's resource `type`). */
  documentType: string;
  /** The permission suffix its queries need: `<permission>:read`, e.g. `orders`. @defaultValue resourceType */
  permission?: string;
  /** The field naming the document's owner (the `ownerId` of `own`-scoped grants); none: only `any` grants read it. */
  ownerField?: string;
  /** Top-level fields of `data` that queries may name. */
  fields: Readonly<Record<string, ReadModelField>>;
  /**
   * Other names `?sort=` accepts, each for a sortable field or `id`: names published before the
   * declaration existed keep working (e.g. `total` for `totalAmount`).
   */
  sortAliases?: Readonly<Record<string, string>>;
  /** Default sort of a list. @defaultValue { field: 'id', direction: 'asc' } */
  defaultSort?: { field: string; direction: 'asc' | 'desc' };
  /** Filter + sort pairs worth one index each (embedded), e.g. [['customerId', 'createdAt']]. */
  compositeIndexes?: ReadonlyArray<readonly string[]>;
  /** What the read model is, for the OpenAPI document. */
  description?: string;
}

/** A declaration that cannot be served; the message names the read model and the field. */
export class ReadModelDeclarationError extends Error {
  readonly code = 'INVALID_READ_MODEL_DECLARATION';
  constructor(message: string) {
    super(message);
    this.name = 'ReadModelDeclarationError';
  }
}

const RESOURCE_TYPE = /^[a-z][a-z0-9-]{0,62}$/;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** Declares a read model; validates names, the owner field, the default sort and the indexes. */
export function defineReadModel(declaration: ReadModelDeclaration): ReadModelDeclaration {
  const { resourceType, fields } = declaration;
  const problem = (message: string): never => {
    throw new ReadModelDeclarationError(`read model "${resourceType}": ${message}`);
  };
  if (!RESOURCE_TYPE.test(resourceType)) problem('resourceType must be kebab-case (a-z, 0-9, -), starting with a letter');
  for (const name of Object.keys(fields)) if (!FIELD_NAME.test(name) || name === 'id') problem(`field "${name}" must be a name of letters, digits and _ (and not "id")`);
  if (declaration.ownerField !== undefined && fields[declaration.ownerField]?.type !== 'string') problem(`ownerField "${declaration.ownerField}" must be a declared string field`);
  const sort = declaration.defaultSort;
  if (sort !== undefined && sort.field !== 'id' && fields[sort.field]?.sortable !== true) problem(`defaultSort.field "${sort.field}" must be a sortable field`);
  for (const [alias, field] of Object.entries(declaration.sortAliases ?? {})) {
    if (!FIELD_NAME.test(alias) || fields[alias]?.sortable === true || alias === 'id') problem(`sortAliases "${alias}" must be a name that is not a sortable field`);
    if (field !== 'id' && fields[field]?.sortable !== true) problem(`sortAliases "${alias}" names "${field}", which is not a sortable field`);
  }
  for (const index of declaration.compositeIndexes ?? []) {
    for (const field of index) if (fields[field] === undefined) problem(`compositeIndexes names "${field}", which is not a declared field`);
  }
  return declaration;
}

/** The collection a declared read model lives in. */
export function collectionOf(declaration: ReadModelDeclaration): string {
  return declaration.collection ?? declaration.resourceType;
}

/** The store options a declaration implies: its sortable fields indexed, its composite indexes, its field types. */
export function collectionOptionsOf(declaration: ReadModelDeclaration): ReadModelCollectionOptions {
  const indexedFields = Object.entries(declaration.fields)
    .filter(([, field]) => field.sortable === true)
    .map(([name]) => name);
  return { indexedFields, ...(declaration.compositeIndexes ? { compositeIndexes: declaration.compositeIndexes } : {}), fields: declaration.fields };
}
