/**
 * Well-formed Unicode text: no lone UTF-16 surrogate. JSON can carry one (`"\ud800"`), and it
 * then breaks everything downstream that speaks UTF-8: the Avro encoder writes three U+FFFD in
 * its place, OPA's JSON parser refuses the input, a strict decoder on AWS refuses the event. Every
 * boundary refuses such text instead of passing it on.
 */

// `String.prototype.isWellFormed` is native from Node 20 (V8 11.x); ES2022's lib does not type it.
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/** True when `text` holds no lone UTF-16 surrogate. */
export function isWellFormedText(text: string): boolean {
  return (text as WellFormedString).isWellFormed();
}

/** `text` with every lone surrogate replaced by U+FFFD, for naming it in messages and logs. */
export function toWellFormedText(text: string): string {
  return (text as WellFormedString).toWellFormed();
}

/**
 * The path (`items[0].sku`, `''` for the value itself) of the first string, or object key, in a
 * JSON-like value that is not well-formed, or undefined when all are; bytes (Buffers, typed
 * arrays) hold no text and are skipped. Iterative, so that the
 * deepest nesting `JSON.parse` accepts cannot overflow the stack. A key at fault is named with
 * its surrogates replaced by U+FFFD, so the path itself is well-formed.
 */
export function findIllFormedText(value: unknown): string | undefined {
  // The common case (nothing ill-formed) is answered without building a single path.
  return holdsIllFormedText(value, 0) ? locateIllFormedText(value) : undefined;
}

/** Nesting below which the allocation-free walk recurses; deeper values take the iterative walk. */
const MAX_RECURSION_DEPTH = 32;

function holdsIllFormedText(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return !isWellFormedText(value);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (depth >= MAX_RECURSION_DEPTH) return locateIllFormedText(value) !== undefined;
  if (Array.isArray(value)) {
    for (const element of value) if (holdsIllFormedText(element, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!isWellFormedText(key) || holdsIllFormedText((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function locateIllFormedText(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, path] = next;
    if (typeof current === 'string') {
      if (!isWellFormedText(current)) return path;
    } else if (Array.isArray(current)) {
      // Pushed last to first, so the first offending element in document order is found first.
      for (let index = current.length - 1; index >= 0; index -= 1) pending.push([current[index], `${path}[${index}]`]);
    } else if (typeof current === 'object' && current !== null && !ArrayBuffer.isView(current)) {
      const entries = Object.entries(current);
      const badKey = entries.find(([key]) => !isWellFormedText(key));
      if (badKey !== undefined) return memberPath(path, toWellFormedText(badKey[0]));
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const [key, member] = entries[index] as [string, unknown];
        pending.push([member, memberPath(path, key)]);
      }
    }
  }
  return undefined;
}

function memberPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
