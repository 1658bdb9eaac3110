import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SCENARIO_FILE, SCENARIO_NAMES, loadScenarioFile, parseDuration } from '../../../load-tests/loadgen/scenarios';
import { factsOf, importViolationsOf, moduleSyntaxErrors, pureFunctionOf } from './k6ScriptFacts';

/**
 * The k6 scripts are for users (k6 itself is AGPL and not part of this toolchain), so nothing
 * here runs them: this checks what can rot without k6 — that each parses as an ES module, imports
 * only k6's own modules or local files that do the same, reads the one scenarios.json that
 * `npm run load` reads through open() in the init context, and names only scenarios that file
 * defines, with their thresholds.
 */
const K6_DIR = join(__dirname, '..', '..', '..', 'load-tests', 'k6');
const COMMON = join(K6_DIR, 'common.js');

const scripts = readdirSync(K6_DIR)
  .filter((name) => name.endsWith('.js'))
  .sort();

describe('the k6 scripts', () => {
  it('are one per scenario of npm run load, plus their shared module', () => {
    // given
    const expected = [...SCENARIO_NAMES.map((name) => `${name}.js`), 'common.js'].sort();
    // then
    expect(scripts).toEqual(expected);
  });

  it.each(scripts)('%s parses as an ES module', (script) => {
    // when
    const errors = moduleSyntaxErrors(join(K6_DIR, script));
    // then
    expect(errors).toBe('');
  });

  it.each(scripts)('%s imports only k6 modules, or local files that do the same', (script) => {
    // when
    const violations = importViolationsOf(join(K6_DIR, script));
    // then
    expect(violations).toEqual([]);
  });

  it('read rates and thresholds from the scenarios.json that npm run load reads, through open() in the init context', () => {
    // when
    const opened = scripts.flatMap((script) => factsOf(join(K6_DIR, script)).opened.map(({ path, inInitContext }) => ({ file: resolve(K6_DIR, path), inInitContext })));
    // then
    expect(opened).toEqual([{ file: SCENARIO_FILE, inInitContext: true }]);
  });

  it.each(scripts)('%s names only scenarios that scenarios.json defines, each with a rate, a duration and thresholds', (script) => {
    // given
    const file = loadScenarioFile() as unknown as Record<string, unknown>;
    // when
    const names = factsOf(join(K6_DIR, script)).scenarioNames.filter((name) => name !== 'lagProbeIntervalMs');
    // then
    for (const name of names) {
      expect({ name, defined: file[name] !== undefined }).toEqual({ name, defined: true });
      expect(file[name]).toMatchObject({ rate: expect.any(Number), duration: expect.any(String), maxInFlight: expect.any(Number), thresholds: { p99Ms: expect.any(Number), maxErrorRate: expect.any(Number) } });
    }
  });

  it('count a scenario duration as npm run load does, 500ms included', () => {
    // given
    const durationSeconds = pureFunctionOf<(text: string) => number>(COMMON, 'durationSeconds');
    const durations = [...SCENARIO_NAMES.map((name) => loadScenarioFile()[name].duration), '500ms', '2m', '1h'];
    // when
    const k6Ms = durations.map((text) => Math.round(durationSeconds(text) * 1000));
    // then
    expect(k6Ms).toEqual(durations.map((text) => parseDuration(text)));
  });

  it('take the target and the token from BASE_URL and TOKEN', () => {
    // when
    const common = readFileSync(COMMON, 'utf8');
    // then
    expect(common).toMatch(/__ENV\.BASE_URL/);
    expect(common).toMatch(/__ENV\.TOKEN/);
  });
});

describe('the k6 script check', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'k6-check-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('reports a script that does not parse as an ES module', () => {
    // given
    writeFileSync(join(directory, 'broken.js'), "import http from 'k6/http';\nexport default function () { http.get( }\n");
    // when
    const errors = moduleSyntaxErrors(join(directory, 'broken.js'));
    // then
    expect(errors).toMatch(/SyntaxError/);
  });

  it('reports a module that is not k6, reached through a local file, and a missing local file', () => {
    // given
    writeFileSync(join(directory, 'main.js'), "import { helper } from './helper.js';\nimport './missing.js';\nexport default function () { helper(); }\n");
    writeFileSync(join(directory, 'helper.js'), "import http from 'k6/http';\nimport _ from 'lodash';\nexport function helper() { return http.get(_.identity('x')); }\n");
    // when
    const violations = importViolationsOf(join(directory, 'main.js'));
    // then
    expect(violations).toEqual(['helper.js: lodash (not a k6 module)', 'main.js: ./missing.js (no such file)']);
  });

  it('reports an open() outside the init context', () => {
    // given
    writeFileSync(join(directory, 'late.js'), "export default function () { JSON.parse(open('./data.json')); }\n");
    // when
    const { opened } = factsOf(join(directory, 'late.js'));
    // then
    expect(opened).toEqual([{ path: './data.json', inInitContext: false }]);
  });
});
