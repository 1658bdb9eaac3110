/**
 * Issue 11, part 5: every refused read-model query is an RFC 9457 problem with a status, a code
 * saying what is wrong, a detail and the offending `field`, the same for every caller (refused
 * before authorization).
 */
import { bearer } from '../auth/securedApi';
import { expectNoErrorLogs, expectProblem } from './apiFixture';
import type { TestApi } from './apiFixture';
import { getAs, shipmentsApi } from './shipmentsFixture';

let api: TestApi;
let admin: Record<string, string>;
let guest: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
  guest = await bearer('zed', 'guest');
});

beforeEach(async () => {
  api = await shipmentsApi(3);
});

afterEach(() => api.close());

describe('a refused read-model query', () => {
  it.each([
    ['an unknown resource type (list)', '/api/queries/parcels', 404, 'UNKNOWN_RESOURCE_TYPE', 'resourceType', /parcels/],
    ['an unknown resource type (get)', '/api/queries/parcels/p-1', 404, 'UNKNOWN_RESOURCE_TYPE', 'resourceType', /parcels/],
    ['an unknown field', '/api/queries/shipments?colour=red', 400, 'UNKNOWN_QUERY_PARAMETER', 'colour', /colour.*customerId/],
    ['an unknown field with an operator', '/api/queries/shipments?colour[gt]=1', 400, 'UNKNOWN_QUERY_PARAMETER', 'colour[gt]', /colour\[gt\]/],
    ['a field that is not filterable', '/api/queries/shipments?note=x', 400, 'FIELD_NOT_FILTERABLE', 'note', /note cannot be filtered.*customerId/],
    ['a sortable-only field by equality', '/api/queries/shipments?declaredValue=100', 400, 'FIELD_NOT_FILTERABLE', 'declaredValue', /declaredValue/],
    ['an operator on a field neither filterable nor sortable', '/api/queries/shipments?note[gt]=a', 400, 'FIELD_NOT_FILTERABLE', 'note[gt]', /note/],
    ['an unknown operator', '/api/queries/shipments?weightKg[ne]=3', 400, 'UNSUPPORTED_FILTER_OPERATOR', 'weightKg[ne]', /"ne".*gt, gte, lt, lte/],
    ['an empty operator', '/api/queries/shipments?weightKg[]=3', 400, 'UNSUPPORTED_FILTER_OPERATOR', 'weightKg[]', /gt, gte, lt, lte/],
    ['an operator on a string field', '/api/queries/shipments?customerId[gt]=a', 400, 'UNSUPPORTED_FILTER_OPERATOR', 'customerId[gt]', /string field.*customerId=<value>/],
    ['an operator on a boolean field', '/api/queries/shipments?express[lt]=true', 400, 'UNSUPPORTED_FILTER_OPERATOR', 'express[lt]', /boolean field/],
    ['a number given text', '/api/queries/shipments?weightKg=heavy', 400, 'INVALID_QUERY_PARAMETER', 'weightKg', /number/],
    ['a number bound given text', '/api/queries/shipments?weightKg[gte]=heavy', 400, 'INVALID_QUERY_PARAMETER', 'weightKg[gte]', /number/],
    ['an integer bound given a fraction', '/api/queries/shipments?parcels[lt]=1.5', 400, 'INVALID_QUERY_PARAMETER', 'parcels[lt]', /integer/],
    ['a timestamp bound without a zone', '/api/queries/shipments?shippedAt[lt]=2026-03-02T00:00:00', 400, 'INVALID_QUERY_PARAMETER', 'shippedAt[lt]', /ISO-8601/],
    ['a timestamp bound that is no date', '/api/queries/shipments?shippedAt[gt]=2026-02-30T25:00:00Z', 400, 'INVALID_QUERY_PARAMETER', 'shippedAt[gt]', /ISO-8601/],
    ['a value outside the declared values', '/api/queries/shipments?carrier=FEDEX', 400, 'INVALID_QUERY_PARAMETER', 'carrier', /DHL, UPS/],
    ['a repeated bound', '/api/queries/shipments?weightKg[gt]=1&weightKg[gt]=2', 400, 'INVALID_QUERY_PARAMETER', 'weightKg[gt]', /more than once/],
    ['a cursor that is no cursor', '/api/queries/shipments?cursor=not-a-cursor', 400, 'CURSOR_MALFORMED', 'cursor', /cursor/],
    ['an empty cursor', '/api/queries/shipments?cursor=', 400, 'INVALID_QUERY_PARAMETER', 'cursor', /cursor/],
  ])('with %s (%s) is %i %s naming %s', async (_case, path, status, code, field, detail) => {
    // given three shipments
    // when a caller with and one without the permission ask
    const answers = [await getAs(api, path, admin), await getAs(api, path, guest)];
    // then both get the same problem, with a detail that says what to do
    for (const answer of answers) {
      expectProblem(answer, status, code, field);
      expect(answer.body.detail).toMatch(detail);
    }
    expectNoErrorLogs(api.logLines);
  });

  it('with an unsupported operator lists the operators the field takes', async () => {
    // given
    // when
    const onNumber = await getAs(api, '/api/queries/shipments?weightKg[between]=1', admin);
    const onString = await getAs(api, '/api/queries/shipments?carrier[gte]=DHL', admin);
    // then
    expect(onNumber.body).toMatchObject({ code: 'UNSUPPORTED_FILTER_OPERATOR', operators: 'gt,gte,lt,lte' });
    expect(onString.body).toMatchObject({ code: 'UNSUPPORTED_FILTER_OPERATOR', operators: '' });
  });

  it('with a field that is not filterable lists the filterable ones', async () => {
    // given
    // when
    const answer = await getAs(api, '/api/queries/shipments?note=x', admin);
    // then
    expect(answer.body).toMatchObject({ code: 'FIELD_NOT_FILTERABLE', filterable: 'customerId, carrier, weightKg, parcels, express, shippedAt' });
  });
});
