import { readFile } from 'node:fs/promises';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { NexusError } from '../../core/errors/NexusError';
import { findIllFormedText, toWellFormedText } from '../../core/text/wellFormedText';
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  Authorizer,
  GrantScope,
  RateLimitDecision,
  RateLimitRequest,
  RateLimitRule,
} from '../../core/auth/Authorizer';

/** The entrypoints `policies/runtime` is compiled with (`opa build -t wasm -e ...`). */
export const POLICY_ENTRYPOINTS = {
  authorize: 'nexus/authz/decision',
  rateLimitRule: 'nexus/ratelimit/rule',
  rateLimit: 'nexus/ratelimit/decision',
} as const;

/** Error code of a policy module that cannot be loaded or gives an answer of the wrong shape. */
export const POLICY_EVALUATION_FAILED = 'POLICY_EVALUATION_FAILED';

/**
 * Evaluates the runtime Rego policies in-process, compiled to WebAssembly (`npm run policy`
 * builds `policies/build/runtime.wasm`), with `@open-policy-agent/opa-wasm`. Evaluation is
 * synchronous and takes microseconds; the methods are async to fit the port.
 *
 * Fails closed: an undefined or malformed authorization result is a denial, and a policy that
 * throws rejects with `POLICY_EVALUATION_FAILED` (the HTTP layer answers 500: a bug to fix).
 * OPA's JSON parser refuses a lone UTF-16 surrogate ("illegal string escape character"), so no
 * such text reaches it: an authorization request holding one is denied without asking the
 * policy, and rate-limit requests are asked with those characters replaced by U+FFFD.
 *
 * @example
 * ```ts
 * const authorizer = await OpaWasmAuthorizer.fromFile('policies/build/runtime.wasm');
 * await authorizer.authorize({ subject: { id: 'alice', roles: ['customer'] }, action: 'query:orders.get' });
 * ```
 */
export class OpaWasmAuthorizer implements Authorizer {
  private constructor(private readonly policy: LoadedPolicy) {}

  /** Loads a compiled policy module and checks it has every entrypoint this adapter calls. */
  static async fromBytes(wasm: Uint8Array): Promise<OpaWasmAuthorizer> {
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(wasm);
    } catch (cause) {
      throw new NexusError(POLICY_EVALUATION_FAILED, 'the policy module could not be loaded', { cause });
    }
    const missing = Object.values(POLICY_ENTRYPOINTS).filter((name) => !(name in policy.entrypoints));
    if (missing.length > 0) throw new NexusError(POLICY_EVALUATION_FAILED, `the policy module lacks the entrypoints ${missing.join(', ')}`);
    return new OpaWasmAuthorizer(policy);
  }

  /** Reads and loads a compiled `policy.wasm`. */
  static async fromFile(path: string): Promise<OpaWasmAuthorizer> {
    return OpaWasmAuthorizer.fromBytes(await readFile(path));
  }

  async authorize(request: AuthorizationRequest): Promise<AuthorizationDecision> {
    if (findIllFormedText(request) !== undefined) {
      return { allow: false, permission: toWellFormedText(request.action), scope: 'none', reason: 'the request holds text that is not well-formed Unicode' };
    }
    const result = record(this.evaluate(POLICY_ENTRYPOINTS.authorize, request));
    const permission = typeof result?.permission === 'string' ? result.permission : request.action;
    if (result?.allow !== true) {
      return { allow: false, permission, scope: 'none', ...(typeof result?.reason === 'string' ? { reason: result.reason } : {}) };
    }
    const scope: GrantScope = result.scope === 'own' ? 'own' : 'any';
    return { allow: true, permission, scope };
  }

  async rateLimitRule(request: RateLimitRequest): Promise<RateLimitRule | undefined> {
    const rule = record(this.evaluate(POLICY_ENTRYPOINTS.rateLimitRule, wellFormed(request)));
    if (rule === undefined) return undefined;
    if (typeof rule.name !== 'string' || typeof rule.limit !== 'number' || typeof rule.windowSeconds !== 'number') {
      throw new NexusError(POLICY_EVALUATION_FAILED, `${POLICY_ENTRYPOINTS.rateLimitRule} returned a rule without name, limit and windowSeconds`);
    }
    return { name: rule.name, limit: rule.limit, windowSeconds: rule.windowSeconds };
  }

  async rateLimit(request: RateLimitRequest & { count: number; resetInSeconds: number }): Promise<RateLimitDecision> {
    const result = record(this.evaluate(POLICY_ENTRYPOINTS.rateLimit, wellFormed(request)));
    if (result === undefined) return { allow: false, limited: true };
    return {
      allow: result.allow === true,
      limited: result.limited === true,
      ...(typeof result.rule === 'string' ? { rule: result.rule } : {}),
      ...(typeof result.limit === 'number' ? { limit: result.limit } : {}),
      ...(typeof result.remaining === 'number' ? { remaining: result.remaining } : {}),
      ...(typeof result.retryAfterSeconds === 'number' ? { retryAfterSeconds: result.retryAfterSeconds } : {}),
    };
  }

  private evaluate(entrypoint: string, input: object): unknown {
    try {
      // A result set holds one entry per solution; our entrypoints are complete rules: 0 or 1.
      const results = this.policy.evaluate(input, entrypoint) as unknown;
      return Array.isArray(results) && results.length > 0 ? (results[0] as { result?: unknown }).result : undefined;
    } catch (cause) {
      throw new NexusError(POLICY_EVALUATION_FAILED, `evaluating ${entrypoint} failed`, { cause, details: { entrypoint } });
    }
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A rate-limit request with its text made well-formed; counting must not fail on a broken path. */
function wellFormed<Request extends RateLimitRequest>(request: Request): Request {
  return { ...request, method: toWellFormedText(request.method), path: toWellFormedText(request.path) };
}
