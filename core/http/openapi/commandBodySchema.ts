import type { CommandDefinition } from '../../command/CommandDefinition';
import { ARRAY_DEFAULTS, DESCRIBE_READS, PayloadReader, STRING_DEFAULTS } from '../../command/PayloadReader';
import type { ArrayRule, NumberRule, ReadsDescriber, StringRule } from '../../command/PayloadReader';
import type { JsonSchema } from './OpenApiDocument';

/**
 * The JSON Schema of a command's body, derived from its parser rather than written beside it:
 * `parse` runs once on a stand-in body, and every `PayloadReader` read it makes (field, type,
 * rule, required or optional, nested objects of arrays, `end()` closing the object) becomes a
 * property of the schema. So the document says what the parser checks, and cannot drift from it.
 *
 * The command service's own body rules are added: `expectedVersion` (optional, on every command)
 * and the aggregate id of a creating command being optional (the service generates one).
 *
 * A parser that does not read through `PayloadReader`, or that throws on the stand-in values
 * (each the smallest its rule allows), is described as any JSON object.
 */
export function commandBodySchema(definition: CommandDefinition): JsonSchema {
  const root = new BodyProbe();
  try {
    definition.parse(root);
  } catch {
    return { type: 'object', description: `The body of ${definition.commandType}.` };
  }
  const { required: read = [], ...schema } = root.schema() ?? { type: 'object' };
  const required = read.filter((name) => !(definition.createsAggregate && name === definition.aggregateIdField));
  return {
    ...schema,
    properties: {
      ...schema.properties,
      expectedVersion: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Refuse the command (409) unless the aggregate is at this version.' },
    },
    ...(required.length > 0 ? { required } : {}),
  };
}

/** A stand-in body: hands `PayloadReader.of` a reader that records what is read. */
class BodyProbe implements ReadsDescriber {
  private reader: RecordingReader | undefined;

  [DESCRIBE_READS](path: string): PayloadReader {
    this.reader = new RecordingReader(path);
    return this.reader;
  }

  /** The object read from this probe; undefined when nobody read it as an object. */
  schema(): JsonSchema | undefined {
    return this.reader?.schema();
  }
}

/** Records each read as a property and answers with the smallest value its rule allows. */
class RecordingReader extends PayloadReader {
  private readonly properties: Record<string, JsonSchema> = {};
  private readonly required: string[] = [];
  private closed = false;

  constructor(path: string) {
    super({}, path);
  }

  schema(): JsonSchema {
    return {
      type: 'object',
      properties: this.properties,
      ...(this.required.length > 0 ? { required: this.required } : {}),
      ...(this.closed ? { additionalProperties: false } : {}),
    };
  }

  override string(name: string, rule: StringRule = {}): string {
    this.record(name, stringSchema(rule), true);
    return 'x'.repeat(Math.max(1, rule.minLength ?? STRING_DEFAULTS.minLength));
  }

  override optionalString(name: string, rule: StringRule = {}): string | undefined {
    this.record(name, stringSchema(rule), false);
    return undefined;
  }

  override integer(name: string, rule: NumberRule = {}): number {
    this.record(name, { ...numberSchema(rule), type: 'integer' }, true);
    return Math.ceil(rule.min ?? 0);
  }

  override number(name: string, rule: NumberRule = {}): number {
    this.record(name, numberSchema(rule), true);
    return rule.min ?? 0;
  }

  override array<T>(name: string, rule: ArrayRule, each: (item: unknown, path: string) => T): T[] {
    const item = new BodyProbe();
    const value = each(item, `${name}[0]`);
    const { minItems, maxItems } = { ...ARRAY_DEFAULTS, ...rule };
    this.record(name, { type: 'array', items: item.schema() ?? {}, minItems, maxItems }, true);
    return [value];
  }

  override end(): void {
    this.closed = true;
  }

  private record(name: string, schema: JsonSchema, required: boolean): void {
    this.properties[name] = schema;
    if (required) this.required.push(name);
  }
}

function stringSchema(rule: StringRule): JsonSchema {
  const { minLength, maxLength, pattern } = { ...STRING_DEFAULTS, ...rule };
  return {
    type: 'string',
    minLength,
    maxLength,
    ...(pattern ? { pattern: pattern.regex.source, description: `${pattern.description}.` } : {}),
  };
}

function numberSchema(rule: NumberRule): JsonSchema {
  return {
    type: 'number',
    ...(rule.min === undefined ? {} : { minimum: rule.min }),
    ...(rule.max === undefined ? {} : { maximum: rule.max }),
    ...(rule.maxDecimals === undefined ? {} : {
          multipleOf: 10 ** -rule.maxDecimals,
          // 19.99 / 0.01 is 1998.9999999999998 in binary floating point: say how it is compared.
          description: `At most ${rule.maxDecimals} decimal places (checked with a tolerance of 1e-6, e.g. Ajv's multipleOfPrecision: 6).`,
        }),
  };
}
