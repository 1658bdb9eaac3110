import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EmfMetrics, powertoolsLogger } from '../../../adapters/powertools';
import { captureStdoutPerTest } from '../../support/capturedStdout';

describe('the Powertools adapters', () => {
  const stdout = captureStdoutPerTest();
  const lines = (): Record<string, unknown>[] => stdout.jsonLines();

  it('writes keys appended after a child was made on the child lines too (a child per container, a correlation id per invocation)', () => {
    // given a child made before the invocation, as stores and pipelines make theirs
    const root = new Logger({ serviceName: 'nexus-unit' });
    const child = powertoolsLogger(root).child({ pipeline: 'order-list' });
    // when an invocation appends its correlation id, and the child logs
    root.appendKeys({ correlationId: 'corr-1' });
    child.info('applied', { records: 2 });
    root.resetKeys();
    child.info('after the invocation');
    // then
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'applied', service: 'nexus-unit', pipeline: 'order-list', records: 2, correlationId: 'corr-1' }),
      expect.not.objectContaining({ correlationId: expect.anything() }),
    ]);
  });

  it('keeps metrics until flushed, then writes one EMF line with the namespace and the service dimension', () => {
    // given
    const metrics = new EmfMetrics(new Metrics({ namespace: 'Nexus', serviceName: 'nexus-unit' }));
    // when
    metrics.add({ name: 'CommandLatency', unit: 'Milliseconds' }, 12);
    metrics.add({ name: 'EventsAppended', unit: 'Count' }, 1);
    const beforeFlush = lines().length;
    metrics.flush();
    metrics.flush();
    // then
    expect(beforeFlush).toBe(0);
    expect(lines()).toEqual([
      expect.objectContaining({
        _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'Nexus', Dimensions: [['service']], Metrics: [{ Name: 'CommandLatency', Unit: 'Milliseconds' }, { Name: 'EventsAppended', Unit: 'Count' }] }] },
        service: 'nexus-unit',
        CommandLatency: 12,
        EventsAppended: 1,
      }),
    ]);
  });

  it('writes a value with extra dimensions at once, in a line of its own', () => {
    // given
    const metrics = new EmfMetrics(new Metrics({ namespace: 'Nexus', serviceName: 'nexus-unit' }));
    // when
    metrics.addWith({ pipeline: 'router' }, { name: 'ParkedRecords', unit: 'Count' }, 0);
    metrics.addWith({ pipeline: 'order-list' }, { name: 'ParkedRecords', unit: 'Count' }, 3);
    // then
    expect(lines().map((line) => [line.pipeline, line.ParkedRecords, (line._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]?.Dimensions])).toEqual([
      ['router', 0, [['service', 'pipeline']]],
      ['order-list', 3, [['service', 'pipeline']]],
    ]);
  });
});
