import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The top-level folders whose code the policies govern. */
export const SCANNED_LAYERS = ['core', 'operators', 'pipelines', 'handlers', 'adapters', 'domain', 'deploy'] as const;

/** One import of a module, resolved to the layer (and adapter) it reaches. */
export interface ScannedImport {
  specifier: string;
  line: number;
  /** A scanned layer, `external` for a package, or `other` for any other folder. */
  layer: string;
  /** The adapter folder (`embedded`, `aws`, ...) when `layer` is `adapters`. */
  adapter: string | null;
}

/** A call that may reach another service directly. */
export interface ServiceCall {
  kind: 'fetch' | 'http-request' | 'http-client-library' | 'lambda-invoke';
  detail: string;
  line: number;
}

/** A statement that changes stored rows: SQL, or a DynamoDB update/delete command. */
export interface StoreWrite {
  kind: 'sql' | 'dynamodb';
  statement: string;
  table?: string;
  line: number;
}

/** What the policies need to know about one source file. */
export interface ScannedModule {
  file: string;
  layer: string;
  adapter: string | null;
  imports: ScannedImport[];
  serviceCalls: ServiceCall[];
  storeWrites: StoreWrite[];
  referencesEventsTable: boolean;
  /** Event types a domain file declares it emits (`DomainEvent<'OrderPlaced', ...>`). */
  emittedEvents: { eventType: string; line: number }[];
  /** Event types named in `ofType(...)` calls. */
  ofTypes: { eventType: string; line: number }[];
}

const HTTP_CLIENT_LIBRARIES = new Set(['axios', 'got', 'node-fetch', 'undici', 'superagent', 'ky', 'needle', 'cross-fetch']);
const HTTP_MODULES = new Set(['http', 'https', 'node:http', 'node:https', 'http2', 'node:http2']);
const LAMBDA_MODULES = new Set(['@aws-sdk/client-lambda', 'aws-sdk', 'aws-sdk/clients/lambda']);
const DYNAMODB_WRITES = new Set([
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
]);
const SQL_WRITE = /\b(UPDATE|DELETE\s+FROM|(?:INSERT\s+OR\s+)?REPLACE\s+INTO|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|TRUNCATE(?:\s+TABLE)?)\s+[`"[]?([A-Za-z_][\w.-]*)[`"\]]?(\s+SET\b)?/gi;
const EVENTS_TABLE_FILE = /EventStore|EventsTable/;
const EVENTS_TABLE_REFERENCE = /\bevents?[_-]?table\b/i;

/**
 * Scans every `.ts` file under the governed layers of `root` with the TypeScript parser (no type
 * checking): imports and re-exports, `require`/`import()` calls, direct HTTP or Lambda calls,
 * SQL and DynamoDB writes, emitted event types and `ofType(...)` filters. Paths are relative to
 * `root`, with forward slashes.
 */
export function scanSources(root: string): ScannedModule[] {
  const modules: ScannedModule[] = [];
  for (const layer of SCANNED_LAYERS) {
    const directory = join(root, layer);
    if (!isDirectory(directory)) continue;
    for (const path of sourceFiles(directory)) modules.push(scanFile(root, path));
  }
  return modules;
}

function scanFile(root: string, path: string): ScannedModule {
  const file = toPosix(relative(root, path));
  const [layer = 'other', second] = file.split('/');
  const adapter = layer === 'adapters' && second !== undefined && file.split('/').length > 2 ? second : null;
  const text = readFileSync(path, 'utf8');
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const module: ScannedModule = {
    file,
    layer,
    adapter,
    imports: [],
    serviceCalls: [],
    storeWrites: [],
    referencesEventsTable: EVENTS_TABLE_FILE.test(file) || EVENTS_TABLE_REFERENCE.test(text),
    emittedEvents: [],
    ofTypes: [],
  };
  const lineOf = (node: ts.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const httpBindings = new Set<string>();

  const addImport = (specifier: string, node: ts.Node): void => {
    module.imports.push({ specifier, line: lineOf(node), ...targetOf(root, path, specifier) });
    if (HTTP_CLIENT_LIBRARIES.has(specifier)) module.serviceCalls.push({ kind: 'http-client-library', detail: `imports ${specifier}`, line: lineOf(node) });
  };

  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const specifier = node.moduleSpecifier.text;
      addImport(specifier, node);
      if (ts.isImportDeclaration(node)) recordBindings(node, specifier, httpBindings, module, lineOf(node));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      addImport(node.moduleReference.expression.text, node);
    } else if (ts.isCallExpression(node)) {
      visitCall(node, module, httpBindings, lineOf(node), addImport);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text;
      if (DYNAMODB_WRITES.has(name)) module.storeWrites.push({ kind: 'dynamodb', statement: name, line: lineOf(node) });
      if (name === 'InvokeCommand' || name === 'InvokeAsyncCommand') module.serviceCalls.push({ kind: 'lambda-invoke', detail: `uses ${name}`, line: lineOf(node) });
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      for (const match of node.text.matchAll(SQL_WRITE)) {
        const verb = (match[1] ?? '').replace(/\s+/g, ' ').toUpperCase();
        // `UPDATE x` is a write only when followed by SET: "BEFORE UPDATE ON events" is a trigger.
        if (verb === 'UPDATE' && match[3] === undefined) continue;
        module.storeWrites.push({ kind: 'sql', statement: match[0].replace(/\s+/g, ' ').trim(), table: match[2] ?? '', line: lineOf(node) });
      }
    } else if (ts.isTypeReferenceNode(node) && layer === 'domain' && node.typeName.getText(source) === 'DomainEvent') {
      const first = node.typeArguments?.[0];
      if (first && ts.isLiteralTypeNode(first) && ts.isStringLiteral(first.literal)) module.emittedEvents.push({ eventType: first.literal.text, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return module;
}

function recordBindings(node: ts.ImportDeclaration, specifier: string, httpBindings: Set<string>, module: ScannedModule, line: number): void {
  const clause = node.importClause;
  if (!clause || clause.isTypeOnly) return;
  if (HTTP_MODULES.has(specifier)) {
    if (clause.name) httpBindings.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) httpBindings.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        if (imported === 'request' || imported === 'get') httpBindings.add(`call:${element.name.text}`);
      }
    }
  }
  if (LAMBDA_MODULES.has(specifier) && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
    for (const element of clause.namedBindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (/^Invoke(Async|WithResponseStream)?Command$/.test(imported) || imported === 'Lambda') {
        module.serviceCalls.push({ kind: 'lambda-invoke', detail: `imports ${imported} from ${specifier}`, line });
      }
    }
  }
}

function visitCall(
  node: ts.CallExpression,
  module: ScannedModule,
  httpBindings: Set<string>,
  line: number,
  addImport: (specifier: string, node: ts.Node) => void,
): void {
  const callee = node.expression;
  const [first] = node.arguments;
  if ((callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) && first && ts.isStringLiteral(first)) {
    addImport(first.text, node);
    return;
  }
  if (ts.isIdentifier(callee)) {
    if (callee.text === 'fetch') module.serviceCalls.push({ kind: 'fetch', detail: 'calls fetch()', line });
    if (httpBindings.has(`call:${callee.text}`)) module.serviceCalls.push({ kind: 'http-request', detail: `calls ${callee.text}() of node:http(s)`, line });
    if (callee.text === 'ofType') {
      for (const argument of node.arguments) {
        if (ts.isStringLiteral(argument)) module.ofTypes.push({ eventType: argument.text, line });
      }
    }
    return;
  }
  if (ts.isPropertyAccessExpression(callee)) {
    const target = callee.expression;
    const method = callee.name.text;
    if (ts.isIdentifier(target) && target.text === 'globalThis' && method === 'fetch') module.serviceCalls.push({ kind: 'fetch', detail: 'calls fetch()', line });
    if (ts.isIdentifier(target) && httpBindings.has(target.text) && (method === 'request' || method === 'get')) {
      module.serviceCalls.push({ kind: 'http-request', detail: `calls ${target.text}.${method}()`, line });
    }
    if (method === 'invoke' && ts.isIdentifier(target) && /lambda/i.test(target.text)) {
      module.serviceCalls.push({ kind: 'lambda-invoke', detail: `calls ${target.text}.invoke()`, line });
    }
  }
}

function targetOf(root: string, from: string, specifier: string): { layer: string; adapter: string | null } {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return { layer: 'external', adapter: null };
  const target = toPosix(relative(root, resolve(dirname(from), specifier)));
  if (target.startsWith('../') || target === '..') return { layer: 'other', adapter: null };
  const parts = target.split('/');
  const layer = (SCANNED_LAYERS as readonly string[]).includes(parts[0] ?? '') ? (parts[0] as string) : 'other';
  // `../../adapters/embedded` and `../embedded/X` both name the embedded adapter.
  const adapter = layer === 'adapters' && parts[1] !== undefined ? parts[1].replace(/\.ts$/, '') : null;
  return { layer, adapter };
}

function sourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') files.push(...sourceFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files.sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
