import type { RegisteredRoute } from '../methodNotAllowed';
import type { OpenApiDocument } from './OpenApiDocument';

/** A route the app serves that the document does not describe, or the other way round. */
export interface RouteMismatch {
  method: string;
  path: string;
}

/** The result of {@link compareRoutes}: both lists empty when the document and the app agree. */
export interface RouteCoverage {
  /** Routes registered in the app (Hono syntax) that no operation of the document reaches. */
  undocumented: RouteMismatch[];
  /** Operations of the document (OpenAPI syntax) that no registered route serves. */
  unserved: RouteMismatch[];
}

/**
 * Compares the routes a Hono app registered (`app.routes`) with a document's operations, so that
 * a route added without its description (or a description without its route) is caught.
 *
 * Each operation is instantiated (every `{parameter}` replaced by its first `enum` value, or a
 * placeholder) and dispatched as Hono would: to the first registered route of the same method
 * whose pattern matches. Middleware and catch-alls (method `ALL`, `*` paths) are not routes.
 */
export function compareRoutes(routes: readonly RegisteredRoute[], document: OpenApiDocument): RouteCoverage {
  const served = routes.filter(({ method, path }) => method !== 'ALL' && !path.includes('*'));
  const reached = new Set<RegisteredRoute>();
  const unserved: RouteMismatch[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const concrete = path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
        const sample = operation?.parameters?.find((parameter) => parameter.in === 'path' && parameter.name === name)?.schema.enum?.[0];
        return encodeURIComponent(String(sample ?? `sample-${name}`));
      });
      const route = served.find((candidate) => candidate.method === method.toUpperCase() && patternOf(candidate.path).test(concrete));
      if (route === undefined) unserved.push({ method: method.toUpperCase(), path });
      else reached.add(route);
    }
  }
  const undocumented = served.filter((route) => !reached.has(route)).map(({ method, path }) => ({ method, path }));
  return { undocumented, unserved };
}

function patternOf(honoPath: string): RegExp {
  const source = honoPath
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}
