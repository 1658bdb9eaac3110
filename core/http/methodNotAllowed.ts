import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';

/** A route as Hono lists it in `app.routes`; middleware shows up with method `ALL`. */
export interface RegisteredRoute {
  method: string;
  path: string;
}

/**
 * Each route path -> the `Allow` header value listing the methods it serves (`GET` implies
 * `HEAD`, which Hono answers from the GET handler). Middleware (`ALL`) and wildcards are left out.
 */
export function methodsByPath(routes: readonly RegisteredRoute[]): Map<string, string> {
  const methods = new Map<string, Set<string>>();
  for (const { method, path } of routes) {
    if (method === 'ALL' || path.includes('*')) continue;
    const set = methods.get(path) ?? new Set<string>();
    set.add(method);
    if (method === 'GET') set.add('HEAD');
    methods.set(path, set);
  }
  return new Map([...methods].map(([path, set]) => [path, [...set].join(', ')]));
}

/** `METHOD_NOT_ALLOWED` for a request on a known path; `allow` becomes the `Allow` header. */
export function methodNotAllowed(method: string, path: string, allow: string): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.METHOD_NOT_ALLOWED, `${path} does not serve ${method}; use ${allow}`, { allow });
}
