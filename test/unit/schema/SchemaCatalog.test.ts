import { join, resolve } from 'node:path';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { REPOSITORY_SCHEMAS_DIR } from '../../support/schemaEnvironment';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');

describe('loadSchemaCatalog', () => {
  it('lists every version with its schema name, event type and file, oldest first', () => {
    // given
    const directory = REPOSITORY_SCHEMAS_DIR;
    // when
    const catalog = loadSchemaCatalog(directory);
    // then
    expect(catalog.versionsOf('nexus.order.OrderPlaced').map((e) => [e.eventType, e.version, e.file])).toEqual([
      ['OrderPlaced', 1, join(directory, 'nexus.order.OrderPlaced.v1.avsc')],
      ['OrderPlaced', 2, join(directory, 'nexus.order.OrderPlaced.v2.avsc')],
    ]);
    expect(catalog.schemaNames()).toContain('nexus.EventEnvelope');
    expect(catalog.compatibilityOf('nexus.order.OrderPlaced')).toBe('BACKWARD');
  });

  it('reads compatibility modes from registry.json', () => {
    // given
    const directory = join(FIXTURES, 'schemas-full-mode');
    // when
    const catalog = loadSchemaCatalog(directory);
    // then
    expect(catalog.compatibilityOf('test.shop.Ordered')).toBe('FULL');
    expect(catalog.compatibilityOf('test.shop.Shipped')).toBe('BACKWARD');
  });

  it.each([
    ['schemas-invalid-json', /test\.shop\.Ordered\.v1\.avsc \(line 3\): invalid JSON/],
    ['schemas-invalid-avro', /test\.shop\.Ordered\.v1\.avsc: not a valid Avro schema/],
    ['schemas-name-mismatch', /test\.shop\.Ordered\.v1\.avsc: the schema inside is test\.other\.Ordered, but the file name says test\.shop\.Ordered/],
    ['schemas-version-gap', /test\.shop\.Ordered\.v3\.avsc: versions of test\.shop\.Ordered must be contiguous from 1; expected v2, found v3/],
    ['schemas-bad-mode', /registry\.json: SIDEWAYS is not a compatibility mode/],
  ])('refuses %s, naming the file', (fixture, message) => {
    // given
    const directory = join(FIXTURES, fixture);
    // when
    const loading = (): unknown => loadSchemaCatalog(directory);
    // then
    expect(loading).toThrow(expect.objectContaining({ code: 'INVALID_SCHEMA_CATALOG', message: expect.stringMatching(message) }));
  });
});
