import type { Type } from 'avsc';

/** Which way a resolution check runs: BACKWARD = candidate reads old data; FORWARD = old reads candidate data. */
export type CompatibilityDirection = 'BACKWARD' | 'FORWARD';

/** One reason why a reader schema cannot read a writer schema's data. */
export interface ResolutionProblem {
  /** Dotted path from the root record, e.g. `items[].unitPrice`; `(root)` for the top level. */
  field: string;
  rule: string;
  message: string;
}

/** The parts of an avsc type the walker reads (the bundled typings leave most of them `any`). */
interface TypeView {
  typeName: string;
  name?: string;
  aliases?: string[];
  fields?: { name: string; aliases: string[]; type: Type; defaultValue(): unknown }[];
  symbols?: string[];
  default?: unknown;
  size?: number;
  itemsType?: Type;
  valuesType?: Type;
  types?: Type[];
  underlyingType?: Type;
}

const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

const ROOT = '(root)';

const PRIMITIVES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/**
 * Walks `reader` against `writer` by the Avro specification's schema resolution rules (the
 * same decisions as avsc's `createResolver`, with strict namespaces) and lists every place
 * where reading would fail, naming the field. An empty list means the reader can read the
 * writer's data.
 */
export function findResolutionProblems(reader: Type, writer: Type, direction: CompatibilityDirection): ResolutionProblem[] {
  const problems: ResolutionProblem[] = [];
  resolve(view(reader), view(writer), '', { direction, problems, visiting: new Set() });
  return problems;
}

interface WalkContext {
  direction: CompatibilityDirection;
  problems: ResolutionProblem[];
  /** Record pairs being walked, so recursive schemas terminate. */
  visiting: Set<string>;
}

function view(type: Type): TypeView {
  const typed = type as unknown as TypeView;
  // Logical types are read through their underlying Avro type.
  return typed.underlyingType !== undefined ? view(typed.underlyingType) : typed;
}

function kind(type: TypeView): string {
  return type.typeName.startsWith('union') ? 'union' : type.typeName === 'abstract:long' ? 'long' : type.typeName;
}

function describe(type: TypeView): string {
  const k = kind(type);
  if (k === 'union') return `union [${(type.types ?? []).map((t) => describe(view(t))).join(', ')}]`;
  return type.name !== undefined ? `${k} ${type.name}` : k;
}

function resolve(reader: TypeView, writer: TypeView, path: string, ctx: WalkContext): void {
  if (kind(writer) === 'union') {
    for (const branch of writer.types ?? []) resolveWriterBranch(reader, view(branch), path, ctx);
    return;
  }
  if (kind(reader) === 'union') {
    const branches = (reader.types ?? []).map(view);
    if (branches.some((branch) => problemsOf(branch, writer, path, ctx).length === 0)) return;
    // No branch reads the writer cleanly. The branch the writer evidently meant (same kind and
    // name; or the union's one array, map or record) is walked, so the message names the nested
    // field and rule instead of "no branch can read".
    const intended = intendedBranch(branches, writer);
    if (intended !== undefined) return resolveSameKind(intended, writer, path, ctx);
    add(ctx, path, 'UNION_BRANCH_MISSING', `${describe(reader)} has no branch that can read ${describe(writer)}`);
    return;
  }
  resolveSameKind(reader, writer, path, ctx);
}

function resolveWriterBranch(reader: TypeView, branch: TypeView, path: string, ctx: WalkContext): void {
  if (kind(reader) !== 'union') {
    const found = problemsOf(reader, branch, path, ctx);
    if (found.length === 0) return;
    if (intendedBranch([reader], branch) !== undefined) {
      ctx.problems.push(...found);
      return;
    }
    add(ctx, path, 'UNION_BRANCH_MISSING', `${describe(reader)} cannot read the writer's union branch ${describe(branch)}`);
    return;
  }
  resolve(reader, branch, path, ctx);
}

/**
 * The reader branch meant for `writer`: for an unnamed kind (array, map, a primitive) the one
 * branch of that kind (a union holds at most one); for a named kind the branch with the same
 * full name or alias, else the same short name, else the only branch of that kind.
 */
function intendedBranch(branches: readonly TypeView[], writer: TypeView): TypeView | undefined {
  const writerKind = kind(writer);
  if (PRIMITIVES.has(writerKind)) return undefined;
  const sameKind = branches.filter((branch) => kind(branch) === writerKind);
  if (writer.name === undefined) return sameKind[0];
  return (
    sameKind.find((branch) => namesMatch(branch, writer)) ??
    sameKind.find((branch) => shortName(branch.name) === shortName(writer.name)) ??
    (sameKind.length === 1 ? sameKind[0] : undefined)
  );
}

function shortName(name: string | undefined): string | undefined {
  return name?.slice(name.lastIndexOf('.') + 1);
}

function problemsOf(reader: TypeView, writer: TypeView, path: string, ctx: WalkContext): ResolutionProblem[] {
  const trial: WalkContext = { direction: ctx.direction, problems: [], visiting: new Set(ctx.visiting) };
  resolve(reader, writer, path, trial);
  return trial.problems;
}

function resolveSameKind(reader: TypeView, writer: TypeView, path: string, ctx: WalkContext): void {
  const readerKind = kind(reader);
  const writerKind = kind(writer);
  if (readerKind !== writerKind) {
    if (!(PROMOTIONS[readerKind] ?? []).includes(writerKind)) {
      add(ctx, path, 'TYPE_MISMATCH', `${describe(reader)} cannot read ${describe(writer)}`);
    }
    return;
  }
  switch (readerKind) {
    case 'record':
      return resolveRecord(reader, writer, path, ctx);
    case 'enum':
      return resolveEnum(reader, writer, path, ctx);
    case 'fixed':
      if (!namesMatch(reader, writer)) nameMismatch(reader, writer, path, ctx);
      if (reader.size !== writer.size) {
        add(ctx, path, 'FIXED_SIZE_MISMATCH', `fixed ${reader.name ?? ''} has size ${reader.size ?? 0}; the writer's has ${writer.size ?? 0}`);
      }
      return;
    case 'array':
      return resolve(itemView(reader.itemsType), itemView(writer.itemsType), `${path}[]`, ctx);
    case 'map':
      return resolve(itemView(reader.valuesType), itemView(writer.valuesType), `${path}{}`, ctx);
    default:
      return;
  }
}

function itemView(type: Type | undefined): TypeView {
  if (type === undefined) throw new Error('avsc type without its nested type');
  return view(type);
}

function resolveRecord(reader: TypeView, writer: TypeView, path: string, ctx: WalkContext): void {
  // A name mismatch alone breaks reading, but the fields are still walked: a renamed record
  // usually changed inside too, and the author needs every problem at once.
  if (!namesMatch(reader, writer)) nameMismatch(reader, writer, path, ctx);
  const key = `${reader.name ?? ''}:${writer.name ?? ''}`;
  if (ctx.visiting.has(key)) return;
  ctx.visiting.add(key);
  const writerFields = new Map((writer.fields ?? []).map((field) => [field.name, field]));
  for (const field of reader.fields ?? []) {
    const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
    const candidates = [...new Set([field.name, ...field.aliases])].filter((name) => writerFields.has(name));
    if (candidates.length > 1) {
      add(ctx, fieldPath, 'AMBIGUOUS_ALIAS', `field ${fieldPath} matches several writer fields: ${candidates.join(', ')}`);
      continue;
    }
    const matched = candidates[0] === undefined ? undefined : writerFields.get(candidates[0]);
    if (matched !== undefined) {
      resolve(view(field.type), view(matched.type), fieldPath, ctx);
    } else if (field.defaultValue() === undefined) {
      if (ctx.direction === 'BACKWARD') {
        add(ctx, fieldPath, 'FIELD_ADDED_WITHOUT_DEFAULT', `field ${fieldPath} is new and has no default, so data written without it cannot be read`);
      } else {
        add(ctx, fieldPath, 'FIELD_REMOVED_WITHOUT_DEFAULT', `field ${fieldPath} was removed but the older reader has no default for it`);
      }
    }
  }
  ctx.visiting.delete(key);
}

function resolveEnum(reader: TypeView, writer: TypeView, path: string, ctx: WalkContext): void {
  if (!namesMatch(reader, writer)) nameMismatch(reader, writer, path, ctx);
  if (reader.default !== undefined) return;
  const readerSymbols = new Set(reader.symbols ?? []);
  const missing = (writer.symbols ?? []).filter((symbol) => !readerSymbols.has(symbol));
  if (missing.length === 0) return;
  if (ctx.direction === 'BACKWARD') {
    add(ctx, path || ROOT, 'ENUM_SYMBOL_REMOVED', `enum ${reader.name ?? ''} no longer has ${missing.join(', ')} and has no default`);
  } else {
    add(ctx, path || ROOT, 'ENUM_SYMBOL_ADDED', `enum ${reader.name ?? ''} gained ${missing.join(', ')}, unknown to the older reader, which has no default`);
  }
}

function namesMatch(reader: TypeView, writer: TypeView): boolean {
  if (writer.name === undefined) return true;
  return reader.name === writer.name || (reader.aliases ?? []).includes(writer.name);
}

function nameMismatch(reader: TypeView, writer: TypeView, path: string, ctx: WalkContext): void {
  add(ctx, path, 'NAME_MISMATCH', `${describe(reader)} cannot read ${describe(writer)}: names differ and no alias matches`);
}

function add(ctx: WalkContext, path: string, rule: string, message: string): void {
  ctx.problems.push({ field: path === '' ? ROOT : path, rule, message });
}
