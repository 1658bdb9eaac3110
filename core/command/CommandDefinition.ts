import type { DomainCommand } from './Decider';

/** What the command service attaches to every command it hands a decider. */
export interface CommandMetadata {
  /** When the command was accepted; deciders take time from here, never from a clock. */
  now: Date;
  correlationId: string;
  causationId?: string;
}

/** A parsed command as a decider receives it: type, validated data and metadata. */
export type IssuedCommand<Type extends string = string, Data extends Record<string, unknown> = Record<string, unknown>> =
  DomainCommand<Type, Data> & { metadata: CommandMetadata };

/**
 * How one command type enters the system: its name, the data field that carries the aggregate id,
 * whether it creates the aggregate, and a parser from untrusted JSON to validated data.
 */
export interface CommandDefinition<Command extends IssuedCommand = IssuedCommand> {
  readonly commandType: Command['type'];
  /** Field of the command data holding the aggregate id, e.g. `orderId`. */
  readonly aggregateIdField: string;
  /**
   * True when the command starts a new aggregate: the command service generates the id when the
   * body does not carry one.
   */
  readonly createsAggregate: boolean;
  /** Parses untrusted JSON into the command's data; throws `INVALID_COMMAND` with `details.field`. */
  parse(body: unknown): Command['data'];
}

/** The input of {@link defineCommand}. */
export interface CommandSpec<Type extends string, Data extends Record<string, unknown>> {
  commandType: Type;
  aggregateIdField: keyof Data & string;
  /** @defaultValue false */
  createsAggregate?: boolean;
  parse(body: unknown): Data;
}

/**
 * Declares a command type. The data type is inferred from `parse`, so the definition and the
 * decider's command union cannot drift apart.
 *
 * @example
 * ```ts
 * const cancelOrder = defineCommand({
 *   commandType: 'CancelOrder',
 *   aggregateIdField: 'orderId',
 *   parse: (json) => { const body = PayloadReader.of(json); const data = { orderId: body.string('orderId') }; body.end(); return data; },
 * });
 * type CancelOrder = CommandOf<typeof cancelOrder>;
 * ```
 */
export function defineCommand<Type extends string, Data extends Record<string, unknown>>(
  spec: CommandSpec<Type, Data>,
): CommandDefinition<IssuedCommand<Type, Data>> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(spec.commandType)) {
    throw new TypeError(`command type "${spec.commandType}" must be PascalCase`);
  }
  return {
    commandType: spec.commandType,
    aggregateIdField: spec.aggregateIdField,
    createsAggregate: spec.createsAggregate ?? false,
    parse: spec.parse,
  };
}

/** The issued command type a definition produces. */
export type CommandOf<Definition> = Definition extends CommandDefinition<infer Command> ? Command : never;
