/**
 * The fulfilment saga (domain/fulfilment/fulfilmentSaga.ts) as a pipeline: the core stream
 * (OrderPlaced and the Stock, Payment and Shipment events, routed there by pipelines/routing.ts)
 * -> decode -> upcast -> the saga's transitions and the commands they call for. Keyed by
 * aggregateId; at-least-once: a redelivered event resends the in-flight command under the same
 * idempotency key, which runs it at most once.
 */
import { definePipeline } from '../core/pipeline/PipelineDefinition';
import { runSaga } from '../core/saga/runSaga';
import { decode, upcast } from '../operators';
import { fulfilmentSaga } from '../domain';
import { CORE_STREAM } from './routing';

export default definePipeline({
  name: 'fulfilment',
  source: CORE_STREAM,
  uses: ['commands', 'sagas'],
  pipe: (records$, context) =>
    records$.pipe(
      decode(context.codec),
      upcast(context.upcasters),
      runSaga(fulfilmentSaga, context),
    ),
});
