/**
 * Compares two decimal sequence numbers exactly (Kinesis and DynamoDB Streams sequence numbers
 * exceed 2^53, so they are compared as digit strings, never as numbers): negative when `a` is lower.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = withoutLeadingZeros(a);
  const y = withoutLeadingZeros(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function withoutLeadingZeros(digits: string): string {
  const trimmed = digits.replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}
