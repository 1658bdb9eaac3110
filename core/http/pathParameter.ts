import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { strictlyPercentDecoded } from './percentDecoding';

/**
 * The value of `:name` in a request URL matched by `routePath` (such as
 * `/api/queries/orders/:id`), percent-decoded strictly from the raw URL. Hono falls back to the
 * raw text when a segment does not decode, so `%ED%A0%80` would be looked up as an id; here it
 * is refused with `INVALID_PATH_PARAMETER`, `field` being `field` (the name clients know, such
 * as `orderId`).
 */
export function pathParameterOf(url: string, routePath: string, name: string, field: string): string {
  const index = routePath.split('/').indexOf(`:${name}`);
  if (index === -1) throw new TypeError(`route ${routePath} has no parameter :${name}`);
  const raw = new URL(url).pathname.split('/')[index] ?? '';
  const value = strictlyPercentDecoded(raw);
  if (value === undefined) {
    throw new HttpRequestError(HTTP_ERRORS.INVALID_PATH_PARAMETER, `${field} in the path is not percent-encoded UTF-8`, { field });
  }
  return value;
}
