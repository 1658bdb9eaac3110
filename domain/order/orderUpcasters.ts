import type { Upcaster } from '../../core/upcasting/Upcaster';

/**
 * OrderPlaced v1 -> v2: v1 had a flat `totalAmount`, always in USD; v2 carries
 * `total { amount, currency }`.
 */
export const orderPlacedV1ToV2: Upcaster = {
  eventType: 'OrderPlaced',
  fromVersion: 1,
  upcast: (payload) => {
    const { totalAmount, ...rest } = payload;
    return { ...rest, total: { amount: typeof totalAmount === 'number' ? totalAmount : 0, currency: 'USD' } };
  },
};

/** Every Order upcaster, for `new UpcasterRegistry(orderUpcasters)`. */
export const orderUpcasters: readonly Upcaster[] = [orderPlacedV1ToV2];
