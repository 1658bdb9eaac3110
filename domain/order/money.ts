import type { OrderLine } from './OrderEvents';

/** Sum of quantity x unit price over `lines`, rounded to cents. */
export function totalOf(lines: readonly OrderLine[]): number {
  return roundToCents(lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0));
}

/** Rounds to two decimals; binary floating point leaves 0.1 * 3 at 0.30000000000000004. */
export function roundToCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
