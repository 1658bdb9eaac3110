/**
 * Issue 11, part 5: the OpenAPI 3.1 document is generated from the command definitions and the
 * read-model declarations (a read model declared here, in the test, appears without touching
 * core/), it describes exactly the routes the Hono app registered, and it is served with the
 * reference page at /docs (public by default, authenticated or off by option).
 */
import { compareRoutes, commandBodySchema } from '../../../../core/http/openapi';
import type { OpenApiDocument, OpenApiOperation } from '../../../../core/http/openapi';
import { API_DOCS_CONTENT_SECURITY_POLICY } from '../../../../core/http/openapi';
import { defineReadModel } from '../../../../core/readmodel/ReadModelDeclaration';
import Ajv2020 from 'ajv/dist/2020';
import { orderListReadModel, placeOrder } from '../../../../domain';
import { readModels as shippedReadModels } from '../../../../pipelines';
import { bearer } from '../../auth/securedApi';
import { answerOf, createTestApi, expectProblem } from '../apiFixture';
import type { TestApi } from '../apiFixture';

/** A read model core/ has never heard of. */
const parcels = defineReadModel({
  resourceType: 'parcels',
  documentType: 'parcel',
  ownerField: 'customerId',
  description: 'Parcels on their way.',
  fields: {
    customerId: { type: 'string', filterable: true },
    carrier: { type: 'string', filterable: true, values: ['DHL', 'UPS'] },
    weightKg: { type: 'number', sortable: true, description: 'Gross weight.' },
    shippedAt: { type: 'timestamp', sortable: true },
    label: { type: 'string', fullText: true },
  },
  sortAliases: { weight: 'weightKg' },
  defaultSort: { field: 'shippedAt', direction: 'desc' },
});

let api: TestApi;

afterEach(() => api.close());

async function documentOf(app: TestApi['app']): Promise<OpenApiDocument> {
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as OpenApiDocument;
}

/** A JSON pointer segment (RFC 6901). */
function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function operations(document: OpenApiDocument): [string, string, OpenApiOperation][] {
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]): [string, string, OpenApiOperation] => [path, method, operation]));
}

describe('the OpenAPI document', () => {
  it('describes a read model declared in a test: list with its filters, enums, sort and paging, and get by id', async () => {
    // given an API serving a read model declared here
    api = await createTestApi({}, [orderListReadModel, parcels]);
    // when
    const document = await documentOf(api.app);
    // then
    expect(document.openapi).toBe('3.1.0');
    const list = document.paths['/api/queries/parcels']?.get;
    const parameters = Object.fromEntries((list?.parameters ?? []).map((parameter) => [parameter.name, parameter.schema]));
    expect(parameters).toMatchObject({
      customerId: { type: 'string' },
      carrier: { type: 'string', enum: ['DHL', 'UPS'] },
      'weightKg[gte]': { type: 'number' },
      'shippedAt[lt]': { type: 'string', format: 'date-time' },
      sort: { enum: ['id', 'weightKg', 'shippedAt', 'weight'], default: 'shippedAt' },
      order: { enum: ['asc', 'desc'], default: 'desc' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      cursor: { type: 'string' },
    });
    expect(parameters.label).toBeUndefined();
    expect(document.paths['/api/queries/parcels/{id}']?.get?.parameters?.[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(document.components.schemas.Parcel).toMatchObject({
      description: 'Parcels on their way.',
      properties: { carrier: { enum: ['DHL', 'UPS'] }, weightKg: { type: 'number', description: 'Gross weight.' }, shippedAt: { format: 'date-time' }, version: { type: 'integer' } },
    });
  });

  it('describes the search of a read model with full-text fields, and of no other', async () => {
    // given parcels, whose label is full-text, and the order list, which has no full-text field
    api = await createTestApi({}, [orderListReadModel, parcels]);
    // when
    const document = await documentOf(api.app);
    // then
    const search = document.paths['/api/queries/parcels/search']?.get;
    expect(search?.description).toContain('over label');
    expect(search?.parameters?.find((parameter) => parameter.name === 'q')).toMatchObject({ required: true, schema: { type: 'string', minLength: 1, maxLength: 256 } });
    expect(document.paths['/api/queries/orders/search']).toBeUndefined();
  });

  it('lists every route the app registered, and serves every operation it lists', async () => {
    // given the API as the server builds it, with an extra declared read model
    api = await createTestApi({}, [orderListReadModel, parcels]);
    // when
    const coverage = compareRoutes(api.app.routes, await documentOf(api.app));
    // then
    expect(coverage).toEqual({ undocumented: [], unserved: [] });
  });

  it('lists every route of the app as shipped (its read models as the pipelines declare them)', async () => {
    // given the shipped read models (the order list, order notices with full-text search)
    api = await createTestApi({}, shippedReadModels);
    // when
    const document = await documentOf(api.app);
    // then
    expect(compareRoutes(api.app.routes, document)).toEqual({ undocumented: [], unserved: [] });
  });

  it('holds schemas that compile as JSON Schema 2020-12, references resolved', async () => {
    // given
    api = await createTestApi({}, [orderListReadModel, parcels]);
    const document = await documentOf(api.app);
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema(document, 'openapi');
    // when every schema of the document is compiled where it stands
    const pointers = [
      ...Object.keys(document.components.schemas).map((name) => `/components/schemas/${name}`),
      ...operations(document).flatMap(([path, method, operation]) => [
        ...Object.entries(operation.requestBody?.content ?? {}).map(([type]) => `/paths/${escape(path)}/${method}/requestBody/content/${escape(type)}/schema`),
        ...Object.entries(operation.responses).flatMap(([status, response]) => Object.keys('content' in response ? (response.content ?? {}) : {}).map((type) => `/paths/${escape(path)}/${method}/responses/${status}/content/${escape(type)}/schema`)),
      ]),
    ];
    // then
    expect(pointers.length).toBeGreaterThan(20);
    for (const pointer of pointers) expect({ pointer, compiles: typeof ajv.compile({ $ref: `openapi#${encodeURI(pointer)}` }) }).toEqual({ pointer, compiles: 'function' });
  });

  it('names a route registered without a description, and a description without a route', async () => {
    // given an app with a route the document does not know, and a document with a path nobody serves
    api = await createTestApi({}, [orderListReadModel, parcels]);
    const document = await documentOf(api.app);
    const routes = [...api.app.routes, { method: 'GET', path: '/api/reports/:id' }];
    document.paths['/api/ghosts'] = { get: { operationId: 'ghosts', summary: 'none', tags: [], responses: {}, security: [] } };
    // when
    const coverage = compareRoutes(routes, document);
    // then
    expect(coverage).toEqual({ undocumented: [{ method: 'GET', path: '/api/reports/:id' }], unserved: [{ method: 'GET', path: '/api/ghosts' }] });
  });

  it('has one POST path per command, with a body schema derived from its parser', async () => {
    // given the order commands
    api = await createTestApi();
    // when
    const document = await documentOf(api.app);
    // then
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/api/commands/'))).toEqual(['/api/commands/PlaceOrder', '/api/commands/AddItem', '/api/commands/ConfirmOrder', '/api/commands/CancelOrder']);
    expect(document.paths['/api/commands/PlaceOrder']?.post?.requestBody?.content['application/json']?.schema).toEqual(commandBodySchema(placeOrder));
  });

  it('derives a body schema from what the parser reads: types, rules, required and optional fields, nested lines, no other field', () => {
    // given PlaceOrder, whose parser reads orderId, customerId, items[{ sku, quantity, unitPrice }] and an optional currency
    // when
    const schema = commandBodySchema(placeOrder);
    // then the generated id is optional, expectedVersion is the command service's, unknown fields are refused
    expect(schema).toMatchObject({ type: 'object', required: ['customerId', 'items'], additionalProperties: false });
    expect(schema.properties).toMatchObject({
      orderId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' },
      currency: { type: 'string', minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$' },
      expectedVersion: { type: 'integer', minimum: 0 },
      items: {
        type: 'array',
        minItems: 0,
        maxItems: 100,
        items: {
          type: 'object',
          required: ['sku', 'quantity', 'unitPrice'],
          additionalProperties: false,
          properties: { quantity: { type: 'integer', minimum: 1, maximum: 10_000 }, unitPrice: { type: 'number', minimum: 0, maximum: 1_000_000, multipleOf: 0.01 } },
        },
      },
    });
  });

  it('answers every error with an RFC 9457 problem and asks a bearer JWT on every route but the public ones', async () => {
    // given
    api = await createTestApi();
    // when
    const document = await documentOf(api.app);
    // then
    expect(document.components.securitySchemes.bearerJwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(document.components.responses.Problem).toEqual({ description: expect.any(String), content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    expect(document.components.schemas.Problem).toMatchObject({ required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']) });
    const publicOnes = ['/health', '/openapi.json', '/docs', '/docs/{asset}'];
    for (const [path, method, operation] of operations(document)) {
      expect({ path, method, security: operation.security }).toEqual({ path, method, security: publicOnes.includes(path) ? [] : [{ bearerJwt: [] }] });
      expect({ path, method, default: operation.responses.default }).toEqual({ path, method, default: { $ref: '#/components/responses/Problem' } });
      if (!publicOnes.includes(path)) expect({ path, method, unauthenticated: operation.responses['401'] }).toEqual({ path, method, unauthenticated: { $ref: '#/components/responses/Problem401' } });
    }
  });
});

describe('the reference routes', () => {
  it('serve /openapi.json and /docs without a token by default, the page under a strict Content-Security-Policy', async () => {
    // given
    api = await createTestApi();
    // when
    const page = await api.app.request('/docs');
    const script = await api.app.request('/docs/swagger-ui-bundle.js');
    // then
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(API_DOCS_CONTENT_SECURITY_POLICY);
    expect(API_DOCS_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(await page.text()).toContain('<script src="docs/swagger-ui-bundle.js"></script>');
    expect({ status: script.status, type: script.headers.get('content-type'), size: (await script.text()).length > 100_000 }).toEqual({ status: 200, type: 'text/javascript; charset=utf-8', size: true });
  });

  it('refuse a file the page does not have with a problem', async () => {
    // given
    api = await createTestApi();
    // when
    const answer = await answerOf(await api.app.request('/docs/package.json'));
    // then
    expectProblem(answer, 404, 'NOT_FOUND', 'asset');
  });

  it('need a bearer token with apiDocs "authenticated", and the document then says so', async () => {
    // given
    api = await createTestApi({ apiDocs: 'authenticated' }, [orderListReadModel, parcels]);
    // when
    const anonymous = await answerOf(await api.app.request('/openapi.json'));
    const signed = await api.app.request('/openapi.json', { headers: await bearer('root', 'admin') });
    // then
    expectProblem(anonymous, 401, 'UNAUTHENTICATED');
    const document = (await signed.json()) as OpenApiDocument;
    expect(document.paths['/docs']?.get?.security).toEqual([{ bearerJwt: [] }]);
    expect(compareRoutes(api.app.routes, document)).toEqual({ undocumented: [], unserved: [] });
  });

  it('are not served with apiDocs "off"', async () => {
    // given
    api = await createTestApi({ apiDocs: 'off' });
    // when
    const answers = await Promise.all(['/openapi.json', '/docs'].map(async (path) => (await api.app.request(path, { headers: await bearer('root', 'admin') })).status));
    // then
    expect(answers).toEqual([404, 404]);
  });
});
