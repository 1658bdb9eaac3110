const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A token lifetime as the CLIs write it: whole seconds (`3600`) or a number and a unit (`90s`,
 * `15m`, `1h`, `7d`), possibly signed so that `-5` or `0` can be refused by name rather than as
 * unreadable. Undefined when the text is neither.
 *
 * @example
 * parseLifetimeSeconds('15m'); // 900
 */
export function parseLifetimeSeconds(text: string): number | undefined {
  const match = /^([+-]?\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
}
