import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { dlqEnvName } from '#platform/env-names.ts';
import { aliasArgs } from '../bundling.ts';
import { suppress } from '../nag.ts';
import type { Access, BucketSpec, QueueSpec, SecretSpec } from '../topology.ts';
import type { PipelineFunctionSpec } from '../topology-checks.ts';

/** KMS action families the CDK grant methods add for encrypting with a CMK (IAM5 finding details). */
const KMS_GRANT_WILDCARDS = ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'] as const;

function logicalIdOf(resource: IConstruct): string {
  return Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement);
}

/** The Lambda runtime of every pipeline function. */
export const PIPELINE_RUNTIME = Runtime.NODEJS_24_X;

/**
 * esbuild banner: ESM output has no `require`, but CommonJS dependencies bundled into it still call it
 * (for Node built-ins). Define one from `import.meta.url`.
 */
export const REQUIRE_BANNER =
  "import { createRequire as __pipelineCreateRequire } from 'node:module'; const require = __pipelineCreateRequire(import.meta.url);";

export interface PipelineFunctionProps {
  /** Name in `topology.functions`. */
  name: string;
  spec: PipelineFunctionSpec;
  /** Repository root: `spec.entry` is relative to it, and it holds package-lock.json and tsconfig.json. */
  rootDir: string;
  /** Customer-managed key for the function's log group. */
  key: IKey;
  logRetention?: RetentionDays;
  /** Dead-letter queue for asynchronous invocations (schedules); encrypted with `key`. */
  deadLetterQueue?: IQueue;
  /**
   * A fixed physical name, only for a function whose ARN must be known before it exists (a Cognito trigger the
   * user pool names by ARN: infra/constructs/sign-in.ts). Others get CloudFormation's generated names.
   */
  functionName?: string;
  /**
   * Template tests only: when the stack skips bundling and `spec.entry` does not exist yet, deploy a
   * placeholder instead of failing. Never applies when the stack is bundled.
   */
  allowMissingEntry?: boolean;
}

/**
 * A pipeline Lambda function with the team's defaults: Node.js 24 on arm64, minified ESM bundle with source maps
 * and the AWS SDK bundled in, X-Ray tracing, its own KMS-encrypted log group with retention, and a role that
 * starts with no permission but writing to that log group. The `bind*` helpers set the environment variable the
 * topology names and grant exactly the access the topology lists: least privilege by construction.
 */
export class PipelineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const { spec, rootDir } = props;
    const entry = join(rootDir, spec.entry);
    const entryFound = existsSync(entry);
    const placeholder = !entryFound && props.allowMissingEntry === true && !Stack.of(scope).bundlingRequired;
    if (!entryFound && !placeholder) {
      throw new Error(
        `Function ${props.name}: its entry ${spec.entry} (infra/topology.ts) does not exist in ${rootDir}`,
      );
    }

    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.name} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      ...(props.functionName ? { functionName: props.functionName } : {}),
      description: spec.description,
      runtime: PIPELINE_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.name,
      },
      ...(placeholder
        ? {
            code: Code.fromInline(
              `throw new Error('placeholder: ${spec.entry} did not exist at synth time');`,
            ),
            handler: 'index.handler',
          }
        : {
            entry,
            handler: 'handler',
            projectRoot: rootDir,
            depsLockFilePath: join(rootDir, 'package-lock.json'),
            bundling: {
              format: OutputFormat.ESM,
              target: 'node24',
              mainFields: ['module', 'main'],
              banner: REQUIRE_BANNER,
              bundleAwsSDK: true,
              externalModules: [],
              minify: true,
              sourceMap: true,
              sourceMapMode: SourceMapMode.DEFAULT,
              sourcesContent: false,
              tsconfig: join(rootDir, 'tsconfig.json'),
              logLevel: LogLevel.WARNING,
              // Credentials from the environment only: Lambda's own (infra/bundling.ts).
              esbuildArgs: aliasArgs(),
            },
          }),
    });
    if (props.deadLetterQueue) {
      // Lambda sends failed asynchronous events to the DLQ with this role; the DLQ is encrypted with the CMK.
      props.key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    }

    suppress(this, [
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason:
          'The function uses no VPC resources: DynamoDB, SQS, S3, Secrets Manager and KMS are reached on their ' +
          'AWS public endpoints over TLS with IAM authentication; a VPC would add NAT or endpoints and cold-start cost.',
      },
      {
        id: 'HIPAA.Security-LambdaConcurrency',
        reason:
          'Concurrency is bounded upstream: the HTTP API stage throttles (topology.api.throttle), SQS triggers ' +
          'set maximumConcurrency, schedules fire one invocation. Reserved concurrency would carve the account ' +
          'pool and fails to deploy on accounts whose default limit is low.',
      },
    ]);
    suppress(role, [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use Resource "*": ' +
          'X-Ray supports no resource-level permissions. test/infra asserts no other action is granted on "*".',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason:
          'The inline policy is generated per function by the bind* grant helpers from topology.ts and attached ' +
          'to this one role; no other principal could reuse it, so a managed policy would add nothing.',
      },
    ]);
  }

  /** Sets the table's env var and grants read (`read`) or read and write (`write`) on it and its indexes. */
  bindTable({
    table,
    spec,
    mode,
  }: {
    table: ITable;
    spec: { envVar: string; indexes: readonly unknown[] };
    mode: Access;
  }) {
    this.addEnvironment(spec.envVar, table.tableName);
    if (mode === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    const appliesTo: string[] = mode === 'write' ? [...KMS_GRANT_WILDCARDS] : [];
    if (spec.indexes.length > 0) appliesTo.push(`Resource::<${logicalIdOf(table)}.Arn>/index/*`);
    if (appliesTo.length > 0) {
      suppress(this.executionRole, [
        {
          id: 'AwsSolutions-IAM5',
          appliesTo,
          reason:
            'From Table.grantRead(Write)Data for a table topology.ts binds: "<table>/index/*" is that table\'s own ' +
            'indexes, and kms:ReEncrypt*/GenerateDataKey* apply to the one pipeline CMK only.',
        },
      ]);
    }
    return this;
  }

  /** Sets the queue's URL env var and grants sending to it (and nothing else). */
  /** The depth of a queue and of its dead-letter queue (GetQueueAttributes only): pipeline health. */
  bindQueueDepth({
    queue,
    deadLetters,
    spec,
  }: {
    queue: IQueue;
    deadLetters: IQueue;
    spec: Pick<QueueSpec, 'envVar'>;
  }) {
    this.addEnvironment(spec.envVar, queue.queueUrl);
    this.addEnvironment(dlqEnvName(spec.envVar), deadLetters.queueUrl);
    queue.grant(this, 'sqs:GetQueueAttributes');
    deadLetters.grant(this, 'sqs:GetQueueAttributes');
    return this;
  }

  bindQueue({ queue, spec }: { queue: IQueue; spec: Pick<QueueSpec, 'envVar'> }) {
    this.addEnvironment(spec.envVar, queue.queueUrl);
    queue.grantSendMessages(this);
    if (queue.encryptionMasterKey) {
      suppress(this.executionRole, [
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: [...KMS_GRANT_WILDCARDS],
          reason:
            'From Queue.grantSendMessages on a KMS-encrypted queue: kms:ReEncrypt*/GenerateDataKey* apply to ' +
            'the one pipeline CMK only.',
        },
      ]);
    }
    return this;
  }

  /**
   * Sets the bucket's env var and grants, per key prefix the topology lists, getting objects under each `read`
   * prefix (and exact versions of them under each `readVersions` prefix, which must also be a `read` one) and putting them (with multipart) under each `write` prefix, plus the KMS use that needs: Decrypt to
   * read, GenerateDataKey and Decrypt to write (SSE-KMS multipart and presigned PUTs need both). A write prefix
   * is not readable unless it is also listed under `read`; no listing, no deletes, no bucket configuration.
   */
  bindBucket({
    bucket,
    spec,
    access,
  }: {
    bucket: IBucket;
    spec: Pick<BucketSpec, 'envVar'>;
    /** Key prefixes (topology `BucketAccess`) the function reads and writes. */
    access: {
      readonly read?: readonly string[];
      readonly readVersions?: readonly string[];
      readonly write?: readonly string[];
    };
  }) {
    this.addEnvironment(spec.envVar, bucket.bucketName);
    const read = [...new Set(access.read ?? [])];
    const readVersions = [...new Set(access.readVersions ?? [])];
    const write = [...new Set(access.write ?? [])];
    const objectsUnder = (prefixes: string[]) => prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
    if (read.length > 0) {
      this.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: objectsUnder(read) }));
      // A request naming a VersionId (GET, HEAD, copy source, presigned GET) is authorized as GetObjectVersion.
      if (readVersions.length > 0)
        this.addToRolePolicy(
          new PolicyStatement({ actions: ['s3:GetObjectVersion'], resources: objectsUnder(readVersions) }),
        );
      // Without ListBucket S3 answers a missing key with 403, not 404: listing is allowed, under the same
      // prefixes only, so "the file is gone" reads as such.
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': read.map((prefix) => `${prefix}*`) } },
        }),
      );
    }
    if (write.length > 0) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: objectsUnder(write),
        }),
      );
    }
    if (write.length > 0) bucket.encryptionKey?.grant(this, 'kms:Decrypt', 'kms:GenerateDataKey');
    else if (read.length > 0) bucket.encryptionKey?.grant(this, 'kms:Decrypt');
    const prefixes = [...new Set([...read, ...write])];
    if (prefixes.length > 0) {
      const bucketArn = `<${logicalIdOf(bucket)}.Arn>`;
      suppress(this.executionRole, [
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: prefixes.map((prefix) => `Resource::${bucketArn}/${prefix}*`),
          reason:
            'Objects under the key prefixes topology.ts binds in the one bucket it names; object keys under ' +
            'a prefix are data, not known at deploy time.',
        },
      ]);
    }
    return this;
  }

  /** Sets `${envVar}_SECRET_ARN` and grants reading that one secret's value. */
  bindSecret({ secret, spec }: { secret: ISecret; spec: Pick<SecretSpec, 'envVar'> }) {
    this.addEnvironment(`${spec.envVar}_SECRET_ARN`, secret.secretArn);
    secret.grantRead(this);
    return this;
  }

  /** The execution role (always defined: the construct creates it). */
  get executionRole(): IRole {
    return this.role!;
  }
}
