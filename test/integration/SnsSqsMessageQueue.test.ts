import { describeMessageQueueContract } from '../contract/messageQueueContract';
import { snsSqsMessaging } from '../engines/snsSqsMessaging';

// SQS counts visibility in whole seconds on the wall clock: the suite runs with 1 s and waits for real.
describeMessageQueueContract(
  'SnsTopicPublisher + SqsSubscriberQueue on moto (SNS -> SQS, raw delivery)',
  async (topology) => ({
    ...(await snsSqsMessaging(topology)),
    elapse: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  }),
  { visibilityTimeoutMs: 1000 },
);
