/**
 * esbuild plugins of the Lambda bundles (serverless.yml, custom.esbuild.plugins).
 *
 * inline-swagger-ui: the API reference page's files (swagger-ui-dist's script and style sheet)
 * go into the api bundle as text. At run time elsewhere core/http/openapi/swaggerUiAssets.ts
 * reads them from node_modules, which a function zip does not have; here that module is
 * replaced by one holding the texts, with the same exports. The file list is read from the
 * module itself, so the two cannot differ.
 */
'use strict';
/* global require, module -- CommonJS, as serverless-esbuild loads it */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readFileSync } = require('node:fs');

const SWAGGER_UI_ASSETS = /[\\/]core[\\/]http[\\/]openapi[\\/]swaggerUiAssets\.ts$/;

const inlineSwaggerUi = {
  name: 'inline-swagger-ui',
  setup(build) {
    build.onLoad({ filter: SWAGGER_UI_ASSETS }, ({ path }) => {
      const list = /export const SWAGGER_UI_FILES = \[([^\]]*)\] as const;/.exec(readFileSync(path, 'utf8'));
      if (list === null) throw new Error(`${path}: no "export const SWAGGER_UI_FILES = [...] as const;" to inline`);
      const names = [...list[1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
      const files = Object.fromEntries(names.map((name) => [name, readFileSync(require.resolve(`swagger-ui-dist/${name}`), 'utf8')]));
      return {
        loader: 'ts',
        contents: [
          `const FILES: Record<string, string> = ${JSON.stringify(files)};`,
          `export const SWAGGER_UI_FILES = ${JSON.stringify(names)} as const;`,
          'export function swaggerUiFile(name: string): string { return FILES[name] as string; }',
        ].join('\n'),
      };
    });
  },
};

module.exports = [inlineSwaggerUi];
