import { readFileSync } from 'node:fs';

/** The files of swagger-ui-dist the reference page loads. */
export const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const;

/** One of {@link SWAGGER_UI_FILES}. */
export type SwaggerUiFile = (typeof SWAGGER_UI_FILES)[number];

const cache = new Map<SwaggerUiFile, string>();

/**
 * The text of a swagger-ui-dist file, read once from node_modules. The Lambda bundle has no
 * node_modules: there, deploy/esbuildPlugins.js replaces this module with one holding the texts
 * (so the page never needs a CDN, and the function zip stays one bundle).
 */
export function swaggerUiFile(name: SwaggerUiFile): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(require.resolve(`swagger-ui-dist/${name}`), 'utf8');
    cache.set(name, text);
  }
  return text;
}
