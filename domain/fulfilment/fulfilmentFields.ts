import type { PayloadReader, StringRule } from '../../core/command/PayloadReader';
import { PayloadReader as Reader } from '../../core/command/PayloadReader';

/** Ids of the fulfilment aggregates: an order id with a prefix, so up to 160 characters. */
export const FULFILMENT_ID: StringRule = {
  maxLength: 160,
  pattern: { regex: /^[A-Za-z0-9._:-]+$/, description: 'letters, digits, ".", "_", ":" or "-"' },
};

const SKU: StringRule = {
  maxLength: 64,
  pattern: { regex: /^[A-Za-z0-9._-]+$/, description: 'letters, digits, ".", "_" or "-"' },
};

/** One line of goods to reserve or ship. */
export type StockLine = { sku: string; quantity: number };

/** Reads the `items` field: 1 to 100 lines of { sku, quantity }. */
export function readStockLines(body: PayloadReader): StockLine[] {
  return body.array('items', { minItems: 1, maxItems: 100 }, (item, path) => {
    const line = Reader.of(item, path);
    const data = { sku: line.string('sku', SKU), quantity: line.integer('quantity', { min: 1, max: 10_000 }) };
    line.end();
    return data;
  });
}
