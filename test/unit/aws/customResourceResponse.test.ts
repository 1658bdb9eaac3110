import { randomUUID } from 'node:crypto';
import { NexusError } from '../../../core/errors/NexusError';
import { answerCustomResource } from '../../../handlers/aws/lambda/customResourceResponse';
import type { CustomResourceWork } from '../../../handlers/aws/lambda/customResourceResponse';
import { lambdaInvocation } from '../../engines/lambdaEvents';
import { startResponseUrlServer } from '../../engines/responseUrlServer';
import type { ResponseUrlServer } from '../../engines/responseUrlServer';

const servers: ResponseUrlServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function responseUrl(statuses?: number[]): Promise<ResponseUrlServer> {
  const server = await startResponseUrlServer(statuses);
  servers.push(server);
  return server;
}

function createRequest(url: string): Record<string, unknown> {
  return {
    RequestType: 'Create',
    ResponseURL: url,
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/nexus-dev/1',
    RequestId: randomUUID(),
    LogicalResourceId: 'Thing',
    ResourceType: 'Custom::Thing',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:thing' },
  };
}

const done: CustomResourceWork = async () => ({ physicalResourceId: 'thing-1', data: { count: 2 } });

describe('answerCustomResource', () => {
  it('PUTs SUCCESS with the physical id and data to the response URL, without a content type', async () => {
    // given
    const server = await responseUrl();
    const request = createRequest(server.url());
    // when
    const body = await answerCustomResource(request, lambdaInvocation(), done);
    // then
    expect(server.received).toHaveLength(1);
    expect(server.received[0]).toMatchObject({ method: 'PUT', headers: { 'content-type': '' } });
    expect(server.received[0]?.body).toEqual({ Status: 'SUCCESS', PhysicalResourceId: 'thing-1', StackId: request.StackId, RequestId: request.RequestId, LogicalResourceId: 'Thing', Data: { count: 2 } });
    expect(body).toEqual(server.received[0]?.body);
  });

  it('answers FAILED with the error code and message when the work fails', async () => {
    // given
    const server = await responseUrl();
    const failing: CustomResourceWork = async () => {
      throw new NexusError('THING_BROKEN', 'the thing broke');
    };
    // when
    await answerCustomResource(createRequest(server.url()), lambdaInvocation(), failing);
    // then
    expect(server.received[0]?.body).toMatchObject({ Status: 'FAILED', Reason: 'THING_BROKEN: the thing broke', PhysicalResourceId: 'Thing' });
  });

  it('cuts a long reason so the body stays within the 4096 bytes CloudFormation accepts, keeping the log stream', async () => {
    // given
    const server = await responseUrl();
    const verbose: CustomResourceWork = async () => {
      throw new Error(`wrong: ${'é'.repeat(10_000)}`);
    };
    // when
    await answerCustomResource(createRequest(server.url()), { ...lambdaInvocation(), logStreamName: 'stream-1' }, verbose);
    // then
    const received = server.received[0];
    expect(Buffer.byteLength(received?.text ?? '')).toBeLessThanOrEqual(4096);
    expect(received?.body?.['Reason']).toMatch(/^wrong: é+… \(CloudWatch log stream stream-1\)$/);
  });

  it('answers FAILED when the work is still running once only the reserved time is left, and aborts it', async () => {
    // given work that ends only when aborted
    const server = await responseUrl();
    let aborted = false;
    const endless: CustomResourceWork = (_request, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => {
        aborted = true;
        reject(new Error('aborted'));
      }));
    // when
    await answerCustomResource(createRequest(server.url()), lambdaInvocation(1_000), endless, { responseReserveMs: 900 });
    // then
    expect(server.received[0]?.body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^CUSTOM_RESOURCE_DEADLINE: not finished within \d+ ms \(Lambda's timeout less 900 ms kept to answer CloudFormation\)$/) });
    expect(aborted).toBe(true);
  });

  it('sends the answer again after a 5xx from the response URL', async () => {
    // given a response URL that fails once
    const server = await responseUrl([503, 200]);
    // when
    await answerCustomResource(createRequest(server.url()), lambdaInvocation(), done);
    // then
    expect(server.received.map((received) => received.body?.['Status'])).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('does not repeat an answer the response URL refused with a 4xx, and rejects naming the status', async () => {
    // given a response URL that refuses (an expired pre-signed URL answers 403)
    const server = await responseUrl([403]);
    // when
    const outcome = answerCustomResource(createRequest(server.url()), lambdaInvocation(), done);
    // then
    await expect(outcome).rejects.toMatchObject({ code: 'CUSTOM_RESOURCE_RESPONSE_FAILED', message: 'the custom resource response could not be sent: HTTP 403' });
    expect(server.received).toHaveLength(1);
  });

  it('echoes the physical id of an Update it answers FAILED, so the failure never reads as a replacement', async () => {
    // given
    const server = await responseUrl();
    const update = { ...createRequest(server.url()), RequestType: 'Update', PhysicalResourceId: 'thing-1', OldResourceProperties: {} };
    const failing: CustomResourceWork = async () => {
      throw new Error('no');
    };
    // when
    await answerCustomResource(update, lambdaInvocation(), failing);
    // then
    expect(server.received[0]?.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'thing-1', Reason: 'no' });
  });
});
