/** A domain event as deciders see it: a type and its data. */
export interface DomainEvent<Type extends string = string, Data extends Record<string, unknown> = Record<string, unknown>> {
  type: Type;
  data: Data;
}

/** A command as deciders see it. */
export interface DomainCommand<Type extends string = string, Data extends Record<string, unknown> = Record<string, unknown>> {
  type: Type;
  data: Data;
}

/**
 * An aggregate as plain data (Emmett's decider): `decide` refuses or accepts a command given the
 * current state; `evolve` folds events into state. Both are pure; storage is never imported.
 * `decide` throws a {@link DomainRuleViolation} to refuse.
 */
export interface Decider<Command extends DomainCommand, Event extends DomainEvent, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
