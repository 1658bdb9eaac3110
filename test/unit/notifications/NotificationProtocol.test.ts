import { parseClientFrame } from '../../../core/notifications/NotificationProtocol';

describe('parseClientFrame', () => {
  it('reads a resource-type subscription with a resume position', () => {
    // given / when / then
    expect(parseClientFrame('{"type":"subscribe","subscriptionId":"s1","resourceType":"orders","after":42}')).toEqual({
      type: 'subscribe',
      subscriptionId: 's1',
      resourceType: 'orders',
      after: 42,
    });
  });

  it('reads a one-document subscription with the last version seen, and an unsubscribe', () => {
    // given / when / then
    expect(parseClientFrame('{"type":"subscribe","subscriptionId":"s2","resourceType":"orders","id":"order-1","lastVersion":3}')).toEqual({
      type: 'subscribe',
      subscriptionId: 's2',
      resourceType: 'orders',
      id: 'order-1',
      lastVersion: 3,
    });
    expect(parseClientFrame('{"type":"unsubscribe","subscriptionId":"s2"}')).toEqual({ type: 'unsubscribe', subscriptionId: 's2' });
  });

  it.each([
    ['not JSON', 'subscribe orders', 'MALFORMED_JSON', undefined],
    ['an array', '[]', 'MALFORMED_JSON', undefined],
    ['an unknown type', '{"type":"ping","subscriptionId":"s1"}', 'MALFORMED_REQUEST', 'type'],
    ['a missing subscription id', '{"type":"subscribe","resourceType":"orders"}', 'MALFORMED_REQUEST', 'subscriptionId'],
    ['a bad resource type', '{"type":"subscribe","subscriptionId":"s1","resourceType":"Orders!"}', 'MALFORMED_REQUEST', 'resourceType'],
    ['a negative lastVersion', '{"type":"subscribe","subscriptionId":"s1","resourceType":"orders","id":"o","lastVersion":-1}', 'MALFORMED_REQUEST', 'lastVersion'],
    ['lastVersion without id', '{"type":"subscribe","subscriptionId":"s1","resourceType":"orders","lastVersion":1}', 'MALFORMED_REQUEST', 'lastVersion'],
    ['after with an id', '{"type":"subscribe","subscriptionId":"s1","resourceType":"orders","id":"o","after":1}', 'MALFORMED_REQUEST', 'after'],
    ['an id with a lone surrogate', '{"type":"subscribe","subscriptionId":"s1","resourceType":"orders","id":"\\ud800"}', 'ILL_FORMED_TEXT', 'id'],
  ])('refuses %s with a code and the field at fault', (_case, text, code, field) => {
    // given / when
    let caught: unknown;
    try {
      parseClientFrame(text);
    } catch (error) {
      caught = error;
    }
    // then
    expect(caught).toMatchObject({ code, ...(field === undefined ? {} : { details: expect.objectContaining({ field }) as unknown }) });
  });
});
