/**
 * Issue 11, part 5: the API reference page works from a function zip, which has no
 * node_modules: deploy/esbuildPlugins.js puts swagger-ui-dist's files into the api bundle.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { SWAGGER_UI_FILES, swaggerUiFile } from '../../../core/http/openapi/swaggerUiAssets';
import { packagedService, REPOSITORY_ROOT } from '../../support/packagedService';
import { unzipTo } from '../../support/zipFiles';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the plugins file is CommonJS, as serverless-esbuild loads it
const plugins = require(join(REPOSITORY_ROOT, 'deploy', 'esbuildPlugins.js')) as Parameters<typeof build>[0]['plugins'];

describe('the bundled reference page files', () => {
  it('are the texts of swagger-ui-dist, held by the bundle instead of read from node_modules', async () => {
    // given swaggerUiAssets bundled as the Lambda functions are, with the plugins of serverless.yml
    const result = await build({ entryPoints: [join(REPOSITORY_ROOT, 'core/http/openapi/swaggerUiAssets.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, plugins });
    const code = result.outputFiles[0]?.text ?? '';
    // when the bundle is loaded
    const bundled = { exports: {} as { swaggerUiFile?: (name: string) => string; SWAGGER_UI_FILES?: readonly string[] } };
    new Function('module', 'exports', 'require', code)(bundled, bundled.exports, () => {
      throw new Error('the bundle requires nothing');
    });
    // then
    expect(bundled.exports.SWAGGER_UI_FILES).toEqual([...SWAGGER_UI_FILES]);
    for (const name of SWAGGER_UI_FILES) expect({ name, same: bundled.exports.swaggerUiFile?.(name) === swaggerUiFile(name) }).toEqual({ name, same: true });
  });

  it('are in the packaged api function', async () => {
    // given the packaged service
    const service = await packagedService();
    const scratch = mkdtempSync(join(tmpdir(), 'nexus-api-zip-'));
    try {
      // when
      await unzipTo(service.zips.api ?? '', scratch);
      const bundle = readFileSync(join(scratch, 'handlers', 'aws', 'lambda', 'api.js'), 'utf8');
      // then
      expect(bundle).toContain('SwaggerUIBundle');
      expect(bundle).not.toMatch(/swagger-ui-dist\//);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 600_000);
});
