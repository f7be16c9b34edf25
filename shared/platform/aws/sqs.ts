import { SQSClient } from '@aws-sdk/client-sqs';

// The SQS client sends to the origin of each QueueUrl; the local runtime hands out loopback queue URLs, so
// nothing here has to know where it runs.
export const sqs = new SQSClient({ maxAttempts: 4 });
