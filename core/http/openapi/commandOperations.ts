import type { AggregateDefinition } from '../../command/AggregateDefinition';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH } from '../idempotentCommand';
import { commandBodySchema } from './commandBodySchema';
import type { JsonSchema, OpenApiPaths } from './OpenApiDocument';
import { AUTHENTICATED } from './operationSecurity';
import { problemResponses } from './problemResponses';

/** The answer to an accepted command (CommandService's CommandResult). */
export const COMMAND_RESULT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    aggregateId: { type: 'string' },
    version: { type: 'integer', minimum: 0, description: 'The aggregate version after the command.' },
    eventIds: { type: 'array', items: { type: 'string' } },
    correlationId: { type: 'string' },
  },
  required: ['aggregateId', 'version', 'eventIds', 'correlationId'],
};

/**
 * `POST /api/commands/{CommandType}` for every command of every aggregate, one path each, with
 * the body schema derived from the command's parser (see commandBodySchema.ts).
 */
export function commandPaths(aggregates: readonly AggregateDefinition[]): OpenApiPaths {
  const paths: OpenApiPaths = {};
  for (const aggregate of aggregates) {
    for (const command of aggregate.commands) {
      paths[`/api/commands/${command.commandType}`] = {
        post: {
          operationId: `command${command.commandType}`,
          summary: command.commandType,
          description: `Decides ${command.commandType} on a ${aggregate.aggregateType} (field \`${command.aggregateIdField}\`)${command.createsAggregate ? ', creating it; without an id one is generated' : ''}, and stores the events it yields.`,
          tags: [`Commands: ${aggregate.aggregateType}`],
          parameters: [
            {
              name: IDEMPOTENCY_KEY_HEADER,
              in: 'header',
              required: false,
              description: 'Retries with the same key and body get the first answer again (with `Idempotent-Replayed: true`).',
              schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: commandBodySchema(command) } } },
          responses: {
            '202': {
              description: 'Accepted: the events are stored.',
              headers: { [IDEMPOTENT_REPLAYED_HEADER]: { description: '`true` when this is the stored answer to an earlier request with the same key.', schema: { type: 'string' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/CommandResult' } } },
            },
            ...problemResponses([400, 401, 403, 404, 408, 409, 413, 415, 422, 429, 503]),
          },
          security: AUTHENTICATED,
        },
      };
    }
  }
  return paths;
}
