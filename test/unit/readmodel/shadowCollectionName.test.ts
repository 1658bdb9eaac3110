import { isShadowCollection, parseShadowCollectionName, shadowCollectionName } from '../../../core/readmodel/ReadModelVersions';

describe('shadow collection names', () => {
  it('are valid OpenSearch index names and SQLite collection names, and parse back', () => {
    // given a collection with an underscore and a kebab-case pipeline
    const name = shadowCollectionName('order_notices', 'order-list', 12);

    // when the name is taken apart
    const parsed = parseShadowCollectionName(name);

    // then it is lower case [a-z0-9_-] only and gives back its parts
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    expect(parsed).toEqual({ collection: 'order_notices', pipeline: 'order-list', version: 12 });
    expect(isShadowCollection(name)).toBe(true);
  });

  it('never takes a live collection for a shadow', () => {
    // given live collection names, dashes included
    const live = ['orders', 'order-notices', 'a-v2', 'orders-v3'];

    // when each is checked
    const shadows = live.filter(isShadowCollection);

    // then none is a shadow
    expect(shadows).toEqual([]);
  });
});
