/**
 * The `nexus` command line (`npx nexus ...`, `npm run nexus -- ...`): operates a Nexus system,
 * embedded (its data directory) or on AWS (`--backend aws` with the server's AWS flags or
 * variables, handlers/aws/awsConfig.ts). Today: the dead-letter store (`nexus dlq list|show|redrive|skip`),
 * the subscriber queues' own dead-letter queues (`nexus dlq queue list|redrive <queue>`), and the
 * projections' read-model versions (`nexus projections status|rebuild <pipeline>`, embedded only).
 * Exit codes: 0 done, 1 failed (unknown id, failed redrive, ...), 2 usage error.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { DeadLetter } from '../../core/deadletter/DeadLetterStore';
import type { DeadLetteredMessage } from '../../core/messaging/QueueMessage';
import type { SubscriberQueue } from '../../core/messaging/SubscriberQueue';
import { subscriptionsOf } from '../../core/messaging/Topic';
import { topics } from '../../pipelines/routing';
import { redriveDeadLetters, skipDeadLetter } from '../../core/pipeline/redriveDeadLetters';
import type { PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import { createJsonLogger } from '../../core/logging/Logger';
import { AWS_BACKEND_USAGE, readAwsBackendConfig, takeAwsFlags } from '../aws/awsConfig';
import { openAwsSystem } from '../aws/awsSystem';
import type { AwsSystem } from '../aws/awsSystem';
import { openEmbeddedSystem } from '../local/embeddedSystem';
import type { EmbeddedSystem } from '../local/embeddedSystem';
import { NEXUS_VERSION } from './standardOptions';
import { registerProjectionCommands } from './projections';

const STATUSES = ['parked', 'redriven', 'skipped', 'all'] as const;

/** A failure the user can act on: printed without a stack, exit code 1. */
class CliFailure extends Error {}

interface GlobalOptions {
  dataDir: string;
  backend: 'embedded' | 'aws';
}

/** What the dlq commands use of a system, on either backend. */
type DlqSystem = Pick<EmbeddedSystem & AwsSystem, 'deadLetters' | 'pipelines' | 'contextFor' | 'codec' | 'queueFor'>;

/** The AWS flags of this run, taken out of argv before commander reads the rest. */
let awsFlags = new Map<string, string>();

/** Builds the program; `parseAsync` runs it. Exported for tests. */
export function createProgram(): Command {
  const program = new Command('nexus')
    .description('Operate a Nexus embedded system')
    .version(`nexus ${NEXUS_VERSION}`, '-V, --version', 'show the version')
    .addOption(new Option('--data-dir <dir>', 'directory of the embedded SQLite data').env('NEXUS_DATA_DIR').default('./.nexus'))
    .addOption(new Option('--backend <name>', 'where the dead letters are').choices(['embedded', 'aws']).env('NEXUS_BACKEND').default('embedded'))
    .addHelpText('after', `\n${AWS_BACKEND_USAGE}`)
    .exitOverride()
    .showHelpAfterError();
  const dlq = program.command('dlq').description('list, inspect, redrive or skip parked (dead-letter) records');
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  dlq
    .command('list')
    .description('list dead letters, oldest first')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--key <key>', 'only this key')
    .addOption(new Option('--status <status>', 'which entries').choices(STATUSES).default('parked'))
    .option('--limit <n>', 'at most this many entries', parsePositiveInt, 1000)
    .option('--json', 'print JSON (record bytes as base64)')
    .action((options: { pipeline?: string; key?: string; status: (typeof STATUSES)[number]; limit: number; json?: boolean }) =>
      withSystem(globals(), async (system) => {
        if (options.pipeline !== undefined) await requireListablePipeline(system, options.pipeline);
        const entries = await system.deadLetters.list({ pipelineName: options.pipeline, key: options.key, status: options.status, limit: options.limit });
        if (options.json) print(JSON.stringify(entries.map(toJson), null, 2));
        else print(formatTable(entries));
      }),
    );

  dlq
    .command('show')
    .description('show one dead letter: fields, error, decoded envelope and the original bytes')
    .argument('<id>', 'dead letter id', parsePositiveInt)
    .option('--json', 'print JSON')
    .action((id: number, options: { json?: boolean }) =>
      withSystem(globals(), async (system) => {
        const entry = await system.deadLetters.get(id);
        const decoded = await decodeRecord(system, entry);
        if (options.json) print(JSON.stringify({ ...toJson(entry), decoded }, null, 2));
        else print(formatEntry(entry, decoded));
      }),
    );

  dlq
    .command('redrive')
    .description("run parked records through the pipeline again, oldest first per key; a failure stops that key")
    .requiredOption('--pipeline <name>', 'the pipeline whose dead letters to redrive')
    .option('--key <key>', 'only this key')
    .option('--id <id>', "only this entry's key, up to and including this entry", parsePositiveInt)
    .action((options: { pipeline: string; key?: string; id?: number }) =>
      withSystem(globals(), async (system) => {
        const definition = pipelineNamed(system, options.pipeline);
        const summary = await redriveDeadLetters(
          definition,
          { deadLetters: system.deadLetters, context: system.contextFor(definition.name) },
          { key: options.key, id: options.id },
        );
        print(`${summary.redriven} redriven, ${summary.failed.length} failed`);
        for (const failure of summary.failed) {
          process.stderr.write(`dead letter ${failure.id} (key ${failure.key}) failed after ${failure.error.attempts} attempt(s): ${failure.error.code}: ${failure.error.message}\n`);
        }
        if (summary.failed.length > 0) process.exitCode = 1;
      }),
    );

  dlq
    .command('skip')
    .description('mark a parked entry skipped: it is never applied, and stops blocking its key')
    .argument('<id>', 'dead letter id', parsePositiveInt)
    .action((id: number) =>
      withSystem(globals(), async (system) => {
        const entry = await skipDeadLetter(system.deadLetters, id);
        print(`dead letter ${entry.id} (pipeline ${entry.pipelineName}, key ${entry.key}) skipped`);
      }),
    );

  const queue = dlq.command('queue').description("a subscriber queue's own dead-letter queue (messages received maxReceiveCount times)");
  queue
    .command('list')
    .description('list the messages in a subscriber queue\'s dead-letter queue, oldest first')
    .argument('<queue>', 'subscriber queue, as declared in pipelines/routing.ts')
    .option('--limit <n>', 'at most this many messages', parsePositiveInt, 100)
    .option('--json', 'print JSON (bodies as base64)')
    .action((queueName: string, options: { limit: number; json?: boolean }) =>
      withSystem(globals(), async (system) => {
        const messages = await declaredQueue(system, queueName).deadLetters(options.limit);
        if (options.json) print(JSON.stringify(messages.map((message) => ({ ...message, body: message.body.toString('base64') })), null, 2));
        else print(formatQueueDeadLetters(messages));
      }),
    );
  queue
    .command('redrive')
    .description('move messages from a subscriber queue\'s dead-letter queue back to the queue, oldest first')
    .argument('<queue>', 'subscriber queue, as declared in pipelines/routing.ts')
    .option('--limit <n>', 'at most this many messages', parsePositiveInt)
    .action((queueName: string, options: { limit?: number }) =>
      withSystem(globals(), async (system) => {
        const moved = await declaredQueue(system, queueName).redrive(options.limit === undefined ? {} : { limit: options.limit });
        print(`${moved} message(s) moved back to ${queueName}`);
      }),
    );

  registerProjectionCommands(program, () => ({ ...globals(), aws: () => readAwsBackendConfig(awsFlags, process.env) }));
  return program;
}

/** A queue some topic declares; a typo is refused with the declared names, not answered with an empty list. */
function declaredQueue(system: DlqSystem, queueName: string): SubscriberQueue {
  const declared = subscriptionsOf(topics).map((subscription) => subscription.queue);
  if (!declared.includes(queueName)) throw new CliFailure(`unknown subscriber queue "${queueName}"; declared: ${declared.join(', ') || 'none'}`);
  try {
    return system.queueFor(queueName);
  } catch (error) {
    throw new CliFailure(error instanceof Error ? error.message : String(error));
  }
}

function formatQueueDeadLetters(messages: readonly DeadLetteredMessage[]): string {
  if (messages.length === 0) return 'no dead-lettered messages';
  const rows = messages.map((message) => [message.messageId, message.groupKey, String(message.attributes.eventType ?? ''), String(message.receiveCount), new Date(message.deadLetteredAtMs).toISOString()].join('  '));
  return ['messageId  key  eventType  receives  deadLetteredAt', ...rows].join('\n');
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const { aws, rest } = takeAwsFlags(argv.slice(2));
    awsFlags = aws;
    await createProgram().parseAsync([...argv.slice(0, 2), ...rest]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander refuses is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    // A refused AWS flag or variable is a usage error, as on the server.
    if (code === 'INVALID_CONFIG') {
      process.stderr.write(`nexus: configuration error: ${message}\n`);
      return 2;
    }
    process.stderr.write(`nexus: ${message}${typeof code === 'string' && !(error instanceof CliFailure) ? ` (${code})` : ''}\n`);
    return 1;
  }
}

async function withSystem(options: GlobalOptions, work: (system: DlqSystem) => Promise<void>): Promise<void> {
  if (options.backend === 'aws') {
    const system = await openAwsSystem({ config: readAwsBackendConfig(awsFlags, process.env), logger: createJsonLogger({ level: 'warn' }) });
    try {
      await work(system);
    } finally {
      await system.close();
    }
    return;
  }
  const [stray] = awsFlags.keys();
  if (stray !== undefined) throw new CliFailure(`--${stray} applies to --backend aws only (or NEXUS_BACKEND=aws)`);
  const dataDir = resolve(options.dataDir);
  if (!existsSync(dataDir)) throw new CliFailure(`data directory ${dataDir} does not exist (--data-dir or NEXUS_DATA_DIR)`);
  const system = await openEmbeddedSystem({ dataDir, logLevel: 'warn' });
  try {
    await work(system);
  } finally {
    await system.close();
  }
}

function pipelineNamed(system: DlqSystem, name: string): PipelineDefinition {
  const definition = system.pipelines.find((pipeline) => pipeline.name === name);
  if (!definition) {
    throw new CliFailure(`unknown pipeline "${name}" (--pipeline); known: ${system.pipelines.map((p) => p.name).join(', ')}`);
  }
  return definition;
}

/**
 * A pipeline to list: declared, or at least known to the dead-letter store (a pipeline removed
 * from the code may still have parked records worth seeing). Anything else is a typo, which an
 * empty list would hide.
 */
async function requireListablePipeline(system: DlqSystem, name: string): Promise<void> {
  if (system.pipelines.some((pipeline) => pipeline.name === name)) return;
  const stored = await system.deadLetters.list({ pipelineName: name, status: 'all', limit: 1 });
  if (stored.length === 0) pipelineNamed(system, name);
  process.stderr.write(`nexus: pipeline "${name}" is no longer declared; listing its stored dead letters\n`);
}

async function decodeRecord(system: DlqSystem, entry: DeadLetter): Promise<Record<string, unknown>> {
  try {
    const { payload, ...envelope } = await system.codec.decodeEnvelope(entry.record);
    const decoded = await system.codec.decode(payload);
    return { envelope, payload: decoded.payload, schemaVersion: decoded.schemaVersion };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function toJson(entry: DeadLetter): Record<string, unknown> {
  return { ...entry, record: entry.record.toString('base64') };
}

function formatTable(entries: readonly DeadLetter[]): string {
  if (entries.length === 0) return 'no dead letters';
  const rows = [
    ['ID', 'PIPELINE', 'KEY', 'POSITION', 'STATUS', 'ATTEMPTS', 'BEHIND', 'ERROR'],
    ...entries.map((e) => [e.id, e.pipelineName, e.key, e.sourcePosition, e.status, e.attempts, e.parkedBehindId ?? '-', e.errorCode].map(String)),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

function formatEntry(entry: DeadLetter, decoded: Record<string, unknown>): string {
  const { record, ...fields } = entry;
  const lines = Object.entries(fields).map(([name, value]) => `${name.padEnd(16)}${value === null ? '-' : String(value)}`);
  return [...lines, `decoded         ${JSON.stringify(decoded, null, 2)}`, `record (base64) ${record.toString('base64')}`].join('\n');
}

function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return parsed;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
