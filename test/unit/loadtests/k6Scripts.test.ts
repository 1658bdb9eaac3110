import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The k6 scripts are for users (k6 itself is AGPL and not part of this toolchain), so nothing
 * here runs them: this checks what can rot without k6 — that each parses, imports only k6's own
 * modules or local files that do the same, reads the shared scenarios.json through open(), and
 * names only scenarios that file defines.
 */
const K6_DIR = join(__dirname, '..', '..', '..', 'load-tests', 'k6');
const SCENARIOS_FILE = join(K6_DIR, '..', 'scenarios.json');
const K6_MODULE = /^k6(\/(http|metrics|ws|data|crypto|encoding|execution|timers|html|net\/grpc|experimental\/[a-z-]+))?$/;

interface ScriptFacts {
  syntaxErrors: string[];
  imports: string[];
  requires: string[];
  opened: string[];
  scenarioNames: string[];
}

function factsOf(file: string): ScriptFacts {
  const text = readFileSync(file, 'utf8');
  const { diagnostics = [] } = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { allowJs: true, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const facts: ScriptFacts = { syntaxErrors: diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), imports: [], requires: [], opened: [], scenarioNames: [] };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) facts.imports.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const [first] = node.arguments;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) facts.requires.push(node.getText());
      if (ts.isIdentifier(callee) && callee.text === 'open') facts.opened.push(first && ts.isStringLiteral(first) ? first.text : `<not a literal: ${first?.getText() ?? ''}>`);
      if (ts.isIdentifier(callee) && ['arrivalScenario', 'lagProbeScenario', 'thresholdsOf'].includes(callee.text) && first && ts.isStringLiteral(first)) facts.scenarioNames.push(first.text);
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'SCENARIOS') facts.scenarioNames.push(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return facts;
}

const scripts = readdirSync(K6_DIR)
  .filter((name) => name.endsWith('.js'))
  .sort();

describe('the k6 scripts', () => {
  const scenarios = JSON.parse(readFileSync(SCENARIOS_FILE, 'utf8')) as Record<string, { rate?: number; duration?: string; thresholds?: Record<string, number> }>;

  it('are there: commands, queries and mixed, and their shared module', () => {
    expect(scripts).toEqual(['commands.js', 'common.js', 'mixed.js', 'queries.js']);
  });

  it.each(scripts)('%s parses as an ES module', (script) => {
    // when
    const { syntaxErrors } = factsOf(join(K6_DIR, script));
    // then
    expect(syntaxErrors).toEqual([]);
  });

  it.each(scripts)('%s imports only k6 modules or local files that do the same, and never require()s', (script) => {
    // when
    const { imports, requires } = factsOf(join(K6_DIR, script));
    // then
    expect(requires).toEqual([]);
    for (const specifier of imports) {
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        const target = resolve(K6_DIR, specifier);
        expect({ specifier, local: existsSync(target) && dirname(target) === K6_DIR }).toEqual({ specifier, local: true });
      } else {
        expect({ specifier, k6: K6_MODULE.test(specifier) }).toEqual({ specifier, k6: true });
      }
    }
  });

  it('read rates and thresholds from the one scenarios.json that npm run load reads, through open()', () => {
    // when
    const opened = scripts.flatMap((script) => factsOf(join(K6_DIR, script)).opened.map((path) => resolve(K6_DIR, path)));
    // then
    expect(opened).toEqual([SCENARIOS_FILE]);
    expect(readFileSync(join(K6_DIR, '..', 'load.ts'), 'utf8')).toContain('scenarios.json');
  });

  it.each(scripts)('%s names only scenarios that scenarios.json defines, each with a rate, a duration and thresholds', (script) => {
    // when
    const names = factsOf(join(K6_DIR, script)).scenarioNames.filter((name) => name !== 'lagProbeIntervalMs');
    // then
    for (const name of names) {
      expect({ name, defined: scenarios[name] !== undefined }).toEqual({ name, defined: true });
      expect(scenarios[name]).toMatchObject({ rate: expect.any(Number), duration: expect.stringMatching(/^(\d+[hms])+$/), thresholds: { p99Ms: expect.any(Number), maxErrorRate: expect.any(Number) } });
    }
  });

  it('take the target and the token from BASE_URL and TOKEN', () => {
    // when
    const common = readFileSync(join(K6_DIR, 'common.js'), 'utf8');
    // then
    expect(common).toMatch(/__ENV\.BASE_URL/);
    expect(common).toMatch(/__ENV\.TOKEN/);
  });
});
