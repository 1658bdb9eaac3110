import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/**
 * What the k6 scripts' check needs to know about one script, read without k6 (AGPL, not part of
 * this toolchain): the AST comes from TypeScript's parser, the verdict "parses as an ES module"
 * from V8's own (`node --check` on an .mjs copy), which also rejects what TypeScript tolerates in
 * .js files (JSX).
 */
export interface K6ScriptFacts {
  /** Module specifiers of `import ... from` and `export ... from`. */
  imports: string[];
  /** `require(...)` and dynamic `import(...)` calls, as written. */
  dynamicLoads: string[];
  /** Every `open(...)` call: its path argument and whether it runs in the init context (module top level). */
  opened: { path: string; inInitContext: boolean }[];
  /** Scenario names the script uses: `SCENARIOS.<name>` and the first argument of the scenario helpers. */
  scenarioNames: string[];
}

/** Functions of common.js whose first argument names a scenario of scenarios.json. */
const SCENARIO_HELPERS = ['arrivalScenario', 'lagProbeScenario', 'thresholdsOf'];

export function factsOf(file: string): K6ScriptFacts {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const facts: K6ScriptFacts = { imports: [], dynamicLoads: [], opened: [], scenarioNames: [] };
  const visit = (node: ts.Node, insideFunction: boolean): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) facts.imports.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const [first] = node.arguments;
      const literal = first && ts.isStringLiteralLike(first) ? first.text : undefined;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) facts.dynamicLoads.push(node.getText());
      if (ts.isIdentifier(callee) && callee.text === 'open') facts.opened.push({ path: literal ?? `<not a literal: ${first?.getText() ?? ''}>`, inInitContext: !insideFunction });
      if (ts.isIdentifier(callee) && SCENARIO_HELPERS.includes(callee.text) && literal !== undefined) facts.scenarioNames.push(literal);
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'SCENARIOS') facts.scenarioNames.push(node.name.text);
    ts.forEachChild(node, (child) => visit(child, insideFunction || ts.isFunctionLike(node)));
  };
  visit(source, false);
  return facts;
}

/** k6's built-in modules (https://grafana.com/docs/k6/latest/javascript-api/). */
export const K6_MODULE = /^k6(\/(http|metrics|ws|data|crypto|encoding|execution|timers|html|net\/grpc|experimental\/[a-z-]+))?$/;

/**
 * Every import reachable from `entry` that k6 could not satisfy on its own: a module other than
 * k6's, a local file that does not exist, or a require()/import() (k6 would resolve them at run
 * time, where this check cannot follow). Local files are followed: they obey the same rule.
 */
export function importViolationsOf(entry: string): string[] {
  const violations: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const { imports, dynamicLoads } = factsOf(file);
    violations.push(...dynamicLoads.map((call) => `${basename(file)}: ${call} (a run-time load)`));
    for (const specifier of imports) {
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        const target = resolve(dirname(file), specifier);
        if (existsSync(target)) walk(target);
        else violations.push(`${basename(file)}: ${specifier} (no such file)`);
      } else if (!K6_MODULE.test(specifier)) {
        violations.push(`${basename(file)}: ${specifier} (not a k6 module)`);
      }
    }
  };
  walk(resolve(entry));
  return violations;
}

/** V8's syntax errors for `file` parsed as an ES module; '' when it parses. Nothing is executed or resolved. */
export function moduleSyntaxErrors(file: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'k6-parse-'));
  try {
    const copy = join(directory, `${basename(file, '.js')}.mjs`);
    copyFileSync(file, copy);
    execFileSync(process.execPath, ['--check', copy], { stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    return stderr.trim() || String(error);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * The body of the top-level function `name` of a k6 script, as a callable: for the few pure
 * helpers whose arithmetic must agree with `npm run load` (they use no k6 API).
 */
export function pureFunctionOf<T extends (...args: never[]) => unknown>(file: string, name: string): T {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const declaration = source.statements.find((statement): statement is ts.FunctionDeclaration => ts.isFunctionDeclaration(statement) && statement.name?.text === name);
  if (!declaration) throw new Error(`${file} declares no top-level function ${name}`);
  return new Function(`${declaration.getText()}\nreturn ${name};`)() as T;
}
