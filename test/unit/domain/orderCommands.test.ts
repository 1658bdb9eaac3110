import { COMMAND_ERRORS } from '../../../core/command/CommandErrors';
import { placeOrder, addItem, confirmOrder, cancelOrder } from '../../../domain';

function parseError(parse: () => unknown): unknown {
  try {
    parse();
  } catch (error) {
    return error;
  }
  throw new Error('expected the command to be refused');
}

describe('Order command definitions', () => {
  it('parses a valid PlaceOrder and defaults the currency', () => {
    // given
    const body = { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'A-1', quantity: 2, unitPrice: 19.99 }] };
    // when
    const data = placeOrder.parse(body);
    // then
    expect(data).toEqual({ ...body, currency: 'EUR' });
    expect(placeOrder).toMatchObject({ commandType: 'PlaceOrder', aggregateIdField: 'orderId', createsAggregate: true });
  });

  it.each([
    ['a non-integer quantity', { items: [{ sku: 'A', quantity: 1.5, unitPrice: 1 }] }, 'items[0].quantity', /integer/],
    ['a zero quantity', { items: [{ sku: 'A', quantity: 0, unitPrice: 1 }] }, 'items[0].quantity', /between 1 and/],
    ['a negative unit price', { items: [{ sku: 'A', quantity: 1, unitPrice: -1 }] }, 'items[0].unitPrice', /between 0 and/],
    ['a price with three decimals', { items: [{ sku: 'A', quantity: 1, unitPrice: 1.005 }] }, 'items[0].unitPrice', /2 decimal places/],
    ['a missing sku on the second line', { items: [{ sku: 'A', quantity: 1, unitPrice: 1 }, { quantity: 1, unitPrice: 1 }] }, 'items[1].sku', /required/],
    ['items that are not an array', { items: 'A' }, 'items', /array/],
    ['a lowercase currency', { currency: 'eur' }, 'currency', /ISO 4217/],
    ['an empty customer id', { customerId: '  ' }, 'customerId', /empty/],
    ['an unknown field', { colour: 'red' }, 'colour', /not a known field/],
    ['an unknown field inside a line', { items: [{ sku: 'A', quantity: 1, unitPrice: 1, note: 'x' }] }, 'items[0].note', /not a known field/],
  ])('refuses a PlaceOrder with %s, naming the field', (_case, override, field, rule) => {
    // given
    const body = { customerId: 'c-1', orderId: 'o-1', items: [], ...override };
    // when
    const error = parseError(() => placeOrder.parse(body));
    // then
    expect(error).toMatchObject({ code: COMMAND_ERRORS.INVALID_COMMAND, field, details: { field } });
    expect((error as Error).message).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')} `));
    expect((error as Error).message).toMatch(rule);
  });

  it('refuses a body that is not a JSON object, without a field', () => {
    // given
    const body = [1, 2];
    // when
    const error = parseError(() => confirmOrder.parse(body));
    // then
    expect(error).toMatchObject({ code: COMMAND_ERRORS.INVALID_COMMAND, field: undefined, message: 'the command body must be a JSON object' });
  });

  it('refuses an AddItem without an order id', () => {
    // given
    const body = { sku: 'A', quantity: 1, unitPrice: 1 };
    // when
    const error = parseError(() => addItem.parse(body));
    // then
    expect(error).toMatchObject({ code: COMMAND_ERRORS.INVALID_COMMAND, field: 'orderId', message: 'orderId is required' });
  });

  it('refuses a CancelOrder whose reason is too long', () => {
    // given
    const body = { orderId: 'o-1', reason: 'x'.repeat(501) };
    // when
    const error = parseError(() => cancelOrder.parse(body));
    // then
    expect(error).toMatchObject({ code: COMMAND_ERRORS.INVALID_COMMAND, field: 'reason' });
  });

  it('refuses an order id with characters outside the allowed set', () => {
    // given
    const body = { orderId: 'o 1/../x' };
    // when
    const error = parseError(() => confirmOrder.parse(body));
    // then
    expect(error).toMatchObject({ code: COMMAND_ERRORS.INVALID_COMMAND, field: 'orderId' });
  });
});
