/** A lazy value computed at most once, so a lookup shared by the policy and the route runs once. */
export function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= compute());
}
