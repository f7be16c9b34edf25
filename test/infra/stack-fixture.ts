import { asArray, logicalIdOf, ofType, type Statement, synthStack } from './helpers.ts';

export const { template, resources } = synthStack();
export const keyId = ofType(resources, 'AWS::KMS::Key')[0]![0];
export const functionId = (name: string) =>
  logicalIdOf(resources, 'AWS::Lambda::Function', `function/${name}`);
export const tableId = (name: string) => logicalIdOf(resources, 'AWS::DynamoDB::Table', `table/${name}`);
export const queueId = (name: string) => logicalIdOf(resources, 'AWS::SQS::Queue', `queue/${name}`);
export const bucketId = (name: string) => logicalIdOf(resources, 'AWS::S3::Bucket', `bucket/${name}`);
export const keyIdOf = (r: typeof resources) => ofType(r, 'AWS::KMS::Key')[0]![0];
export const actionsOf = (statements: Statement[]) => statements.flatMap((s) => asArray(s.Action));
export interface ScheduleTarget {
  Arn: unknown;
  RoleArn: unknown;
  Input: string;
  RetryPolicy: unknown;
  DeadLetterConfig: { Arn: unknown };
}
export const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
