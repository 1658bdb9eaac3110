import { NexusError } from '../errors/NexusError';
import type { Upcaster } from './Upcaster';

export const DUPLICATE_UPCASTER = 'DUPLICATE_UPCASTER';

/** The payload after upcasting and the version it is now in. */
export interface UpcastResult {
  schemaVersion: number;
  payload: Record<string, unknown>;
}

/**
 * Upcasters by event type and source version. `upcast` chains them (v1 -> v2 -> ...) until no
 * upcaster is registered for the current version, so the result is the newest known shape.
 */
export class UpcasterRegistry {
  private readonly byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) this.register(upcaster);
  }

  register(upcaster: Upcaster): this {
    const key = keyOf(upcaster.eventType, upcaster.fromVersion);
    if (this.byKey.has(key)) {
      throw new NexusError(DUPLICATE_UPCASTER, `an upcaster for ${upcaster.eventType} v${upcaster.fromVersion} is already registered`);
    }
    this.byKey.set(key, upcaster);
    return this;
  }

  upcast(eventType: string, schemaVersion: number, payload: Record<string, unknown>): UpcastResult {
    let version = schemaVersion;
    let current = payload;
    for (let next = this.byKey.get(keyOf(eventType, version)); next; next = this.byKey.get(keyOf(eventType, version))) {
      current = next.upcast(current);
      version += 1;
    }
    return { schemaVersion: version, payload: current };
  }
}

function keyOf(eventType: string, version: number): string {
  return `${eventType}@${version}`;
}
