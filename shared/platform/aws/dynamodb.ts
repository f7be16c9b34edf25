import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Built once per container and reused across warm invocations. The endpoint comes from the standard
 * AWS_ENDPOINT_URL_DYNAMODB variable, so the same code talks to AWS or to the local stand-in. One module per
 * client, so each function bundles only the clients it uses.
 */
export const dynamodb = new DynamoDBClient({ maxAttempts: 4 });
