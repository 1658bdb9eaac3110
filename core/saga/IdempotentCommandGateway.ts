import type { CommandResult, CommandService } from '../command/CommandService';
import { errorCodeOf } from '../errors/NexusError';
import { isIdempotencyKeyInUseError } from '../idempotency/IdempotencyErrors';
import type { IdempotencyClaim, IdempotencyStore, StoredResponse } from '../idempotency/IdempotencyStore';
import { requestFingerprint } from '../idempotency/requestFingerprint';
import { acceptedCommandResponse } from '../idempotency/acceptedCommandResponse';
import { COMMAND_ERRORS } from '../command/CommandErrors';
import { DOMAIN_RULE_VIOLATION } from '../command/DomainRuleViolation';
import type { CommandGateway, GatewayCommand, SentCommand } from './CommandGateway';

/** Tunables of {@link IdempotentCommandGateway}. */
export interface IdempotentCommandGatewayOptions {
  /**
   * How long a send waits, in all, for a key held by another sender (a crashed run whose lease has
   * not run out yet) before it fails with `IDEMPOTENCY_KEY_IN_USE`. @defaultValue 15000
   */
  maxKeyWaitMs?: number;
  /** @defaultValue a timer */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS: Required<IdempotentCommandGatewayOptions> = {
  maxKeyWaitMs: 15_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Refusals the command gives for good: stored with the key, so a resend answers the same. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set([COMMAND_ERRORS.UNKNOWN_COMMAND, COMMAND_ERRORS.INVALID_COMMAND, DOMAIN_RULE_VIOLATION]);

const JSON_CONTENT_TYPE = 'application/json';

/**
 * The {@link CommandGateway} over the real {@link CommandService} and an {@link IdempotencyStore},
 * with the semantics of `POST /api/commands` with an `Idempotency-Key` (core/http/idempotentCommand.ts):
 * the key is claimed for (sender, key, fingerprint of type + body); the command's result is
 * stored in the transaction of its events, so after a crash either both exist (a resend replays
 * the result and decides nothing) or neither (a resend runs it). A final refusal is stored too;
 * a transient failure releases the key. A key another sender still holds (a crashed run's lease)
 * is waited for, up to `maxKeyWaitMs`.
 *
 * @example
 * ```ts
 * const gateway = new IdempotentCommandGateway(commandService, idempotencyStore);
 * const sent = await gateway.send({ commandType: 'ReserveStock', body, sender: 'saga:fulfilment', idempotencyKey: 'fulfilment-o-1/reserve-stock/action', correlationId });
 * ```
 */
export class IdempotentCommandGateway implements CommandGateway {
  private readonly settings: Required<IdempotentCommandGatewayOptions>;

  constructor(
    private readonly commands: CommandService,
    private readonly store: IdempotencyStore,
    options: IdempotentCommandGatewayOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...options };
  }

  async send(command: GatewayCommand): Promise<SentCommand> {
    const fingerprint = requestFingerprint({ operation: command.commandType, subject: command.sender, body: command.body });
    const request = { clientId: command.sender, key: command.idempotencyKey, fingerprint };
    for (let waitedMs = 0; ; ) {
      try {
        const claimed = await this.store.claim(request);
        if (claimed.outcome === 'replay') return outcomeOf(claimed.response, true);
        return await this.run(command, claimed.claim);
      } catch (error) {
        if (!isIdempotencyKeyInUseError(error) || waitedMs >= this.settings.maxKeyWaitMs) throw error;
        const retryAfterMs = 1000 * Number((error as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds ?? 1);
        const pauseMs = Math.min(retryAfterMs, this.settings.maxKeyWaitMs - waitedMs);
        await this.settings.sleep(pauseMs);
        waitedMs += pauseMs;
      }
    }
  }

  private async run(command: GatewayCommand, claim: IdempotencyClaim): Promise<SentCommand> {
    let result: CommandResult;
    try {
      result = await this.commands.handle(command.commandType, command.body, {
        correlationId: command.correlationId,
        ...(command.causationId === undefined ? {} : { causationId: command.causationId }),
        ...(command.metadata === undefined ? {} : { metadata: command.metadata }),
        idempotency: { claim, response: acceptedCommandResponse },
      });
    } catch (error) {
      const code = errorCodeOf(error);
      if (code === undefined || !FINAL_REFUSALS.has(code)) {
        await this.store.release(claim).catch(() => undefined);
        throw error;
      }
      const refusal = { outcome: 'rejected' as const, code, message: error instanceof Error ? error.message : String(error) };
      await this.store.complete(claim, { status: 422, contentType: JSON_CONTENT_TYPE, body: JSON.stringify(refusal) });
      return { ...refusal, replayed: false };
    }
    // A command that decided no events completed nothing with them: store its answer now.
    if (result.eventIds.length === 0) await this.store.complete(claim, acceptedCommandResponse(result));
    return { outcome: 'accepted', result, replayed: false };
  }
}

function outcomeOf(response: StoredResponse, replayed: boolean): SentCommand {
  const body = JSON.parse(response.body) as Record<string, unknown>;
  if (response.status === 202) return { outcome: 'accepted', result: body as unknown as CommandResult, replayed };
  return { outcome: 'rejected', code: String(body.code), message: String(body.message), replayed };
}
