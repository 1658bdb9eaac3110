import { isWellFormedText } from '../text/wellFormedText';

/**
 * A URL component percent-decoded strictly: undefined when a `%` does not start a two-digit
 * escape or the escapes do not spell well-formed UTF-8 (`%ED%A0%80` encodes a lone surrogate,
 * `%E0%A4%A` is cut short). WHATWG URL decoding would put U+FFFD in their place instead, so two
 * different inputs would look alike.
 */
export function strictlyPercentDecoded(component: string): string | undefined {
  try {
    const decoded = decodeURIComponent(component);
    return isWellFormedText(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}
