import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK clients, built once per container and reused across warm invocations. Endpoints come from the standard
 * AWS_ENDPOINT_URL_* variables, so the same code talks to AWS or to the local stand-ins.
 */
export const dynamodb = new DynamoDBClient({ maxAttempts: 4 });

// The SQS client sends to the origin of the QueueUrl by default; the local runtime hands out loopback queue
// URLs, so nothing here has to know where it runs.
export const sqs = new SQSClient({ maxAttempts: 4 });

export function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`Missing environment variable ${name}`);
  return v;
}
