import { canonicalSchema } from '../../../core/schema/canonicalSchema';
import { glueDefinitionText, isSameSchema, registeredSchemaOf } from '../../../adapters/aws/glueSchemaShapes';

describe('glueDefinitionText', () => {
  it('gives one text to definitions that differ only in layout and key order, at every depth', () => {
    // given
    const a = '{ "type": "record", "name": "A", "namespace": "t",\n  "fields": [ { "name": "x", "type": { "type": "long", "logicalType": "timestamp-millis" } } ] }';
    const b = '{"fields":[{"type":{"logicalType":"timestamp-millis","type":"long"},"name":"x"}],"namespace":"t","name":"A","type":"record"}';
    // when / then
    expect(glueDefinitionText(a)).toBe(glueDefinitionText(b));
    expect(glueDefinitionText(a)).toBe('{"fields":[{"name":"x","type":{"logicalType":"timestamp-millis","type":"long"}}],"name":"A","namespace":"t","type":"record"}');
  });

  it('keeps the order of fields, symbols and union branches', () => {
    // given
    const definition = JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'b', type: ['null', 'string'] }, { name: 'a', type: { type: 'enum', name: 'E', symbols: ['Z', 'Y'] } }] });
    // when
    const text = JSON.parse(glueDefinitionText(definition)) as { fields: { name: string; type: unknown }[] };
    // then
    expect(text.fields.map((field) => field.name)).toEqual(['b', 'a']);
    expect(text.fields[0]?.type).toEqual(['null', 'string']);
    expect(text.fields[1]?.type).toMatchObject({ symbols: ['Z', 'Y'] });
  });
});

describe('isSameSchema', () => {
  it('matches a namespace spelled into the name, and never matches a definition avsc cannot read', () => {
    // given
    const canonical = canonicalSchema(JSON.stringify({ type: 'record', name: 'A', namespace: 't', fields: [] }));
    // when / then
    expect(isSameSchema(canonical, JSON.stringify({ type: 'record', name: 't.A', fields: [] }))).toBe(true);
    expect(isSameSchema(canonical, '{"type": "record"')).toBe(false);
  });
});

describe('registeredSchemaOf', () => {
  it('takes the schema name from the schema ARN and lower-cases the version id', () => {
    // given a GetSchemaVersion answer as Glue gives it
    const answer = { SchemaVersionId: 'AB1C1B57-8A3E-4C1E-9A43-0A8F3D3C2B11', SchemaArn: 'arn:aws:glue:eu-west-1:123456789012:schema/nexus/nexus.order.OrderPlaced', VersionNumber: 3, SchemaDefinition: '{}' };
    // when / then
    expect(registeredSchemaOf(answer)).toEqual({ schemaVersionId: 'ab1c1b57-8a3e-4c1e-9a43-0a8f3d3c2b11', schemaName: 'nexus.order.OrderPlaced', version: 3, definition: '{}' });
  });

  it('refuses an answer without id, definition or number', () => {
    // given / when / then
    expect(() => registeredSchemaOf({ SchemaVersionId: 'x', VersionNumber: 1 })).toThrow(expect.objectContaining({ code: 'GLUE_REQUEST_FAILED' }));
  });
});
