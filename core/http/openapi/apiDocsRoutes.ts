import type { Hono } from 'hono';
import type { ApiEnv } from '../authenticate';
import { HTTP_ERRORS, HttpRequestError } from '../HttpErrors';
import type { OpenApiDocument } from './OpenApiDocument';
import { SWAGGER_UI_FILES, swaggerUiFile } from './swaggerUiAssets';
import type { SwaggerUiFile } from './swaggerUiAssets';

/**
 * The policy of the reference page: its scripts and styles come from this origin only (no inline
 * script, no CDN, no eval), it fetches this origin only (the document, and "Try it out"), and it
 * cannot be framed or post forms elsewhere. Swagger UI's icons are data: images.
 */
export const API_DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Our start-up script of Swagger UI: a file, so that the policy needs no inline script. */
const INITIALIZER = 'nexus-docs.js';
const INITIALIZER_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: new URL('openapi.json', document.baseURI).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    docExpansion: 'list',
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false
  });
});
`;

// No favicon request (it would be refused 401 like any unknown path). Relative URLs: behind a path prefix (an API Gateway stage) the page still finds its files.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nexus API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/${INITIALIZER}"></script>
</body>
</html>
`;

const ASSETS: ReadonlyMap<string, { contentType: string; text: () => string }> = new Map([
  ...SWAGGER_UI_FILES.map((name: SwaggerUiFile) => [name, { contentType: contentTypeOf(name), text: () => swaggerUiFile(name) }] as const),
  [INITIALIZER, { contentType: 'text/javascript; charset=utf-8', text: () => INITIALIZER_SCRIPT }],
]);

/**
 * `GET /openapi.json` (the document, serialised once) and `GET /docs` (Swagger UI rendering it,
 * with its files at `GET /docs/{asset}`, all from this origin, under
 * {@link API_DOCS_CONTENT_SECURITY_POLICY}).
 */
export function addApiDocsRoutes(app: Hono<ApiEnv>, document: OpenApiDocument): void {
  const json = JSON.stringify(document);
  app.get('/openapi.json', (c) => {
    c.header('cache-control', 'no-cache');
    return c.body(json, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  app.get('/docs', (c) => {
    secureHeaders(c.header.bind(c));
    return c.html(PAGE);
  });
  app.get('/docs/:asset', (c) => {
    const name = c.req.param('asset');
    const asset = ASSETS.get(name);
    if (asset === undefined) throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `no file ${name} in the reference page`, { field: 'asset' });
    secureHeaders(c.header.bind(c));
    c.header('cache-control', 'public, max-age=3600');
    return c.body(asset.text(), 200, { 'content-type': asset.contentType });
  });
}

function secureHeaders(header: (name: string, value: string) => void): void {
  header('content-security-policy', API_DOCS_CONTENT_SECURITY_POLICY);
  header('x-content-type-options', 'nosniff');
  header('referrer-policy', 'no-referrer');
}

function contentTypeOf(name: string): string {
  return name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
}
