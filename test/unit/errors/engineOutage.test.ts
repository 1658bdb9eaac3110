import { isEngineOutage } from '../../../core/errors/engineOutage';
import { NexusError } from '../../../core/errors/NexusError';
import { RetriesExhaustedError } from '../../../core/pipeline/retryWithBackoff';

describe('isEngineOutage', () => {
  it.each([
    ['a read model store down', new NexusError('READ_MODEL_UNAVAILABLE', 'down')],
    ['an event store down', new NexusError('EVENT_STORE_UNAVAILABLE', 'down')],
    ['a stream that refused records', new NexusError('STREAM_PUBLISH_FAILED', 'refused')],
    ['an outage behind exhausted retries', new RetriesExhaustedError(5, new NexusError('READ_MODEL_UNAVAILABLE', 'down'))],
  ])('says yes for %s', (_case, error) => {
    expect(isEngineOutage(error)).toBe(true);
  });

  it.each([
    ['a bug in the pipeline', new Error('cannot read property of undefined')],
    ['a record that does not decode', new NexusError('MALFORMED_FRAME', 'bad bytes')],
    ['exhausted retries of a bad record', new RetriesExhaustedError(5, new NexusError('INVALID_EVENT_PAYLOAD', 'bad'))],
    ['nothing', undefined],
  ])('says no for %s', (_case, error) => {
    expect(isEngineOutage(error)).toBe(false);
  });
});
