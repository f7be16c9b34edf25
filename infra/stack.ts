/**
 * The pipeline's AWS stack, derived entirely from `infra/topology.ts`: every table, queue, bucket, secret,
 * function, route, trigger and schedule below comes from iterating the topology, never from a list kept here.
 */
import { fileURLToPath } from 'node:url';
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { BackupPlan, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Schedule } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { AUTH_ENV } from '#platform/env-names.ts';
import { ConsoleSite } from './constructs/console-site.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { EncryptedQueue } from './constructs/encrypted-queue.ts';
import { PipelineFunction } from './constructs/pipeline-function.ts';
import { SignIn } from './constructs/sign-in.ts';
import { suppress } from './nag.ts';
import { createLogAlarms } from './stack/alarms.ts';
import { createApi } from './stack/api.ts';
import { addBucketCors, createAccessLogBucket, createBuckets } from './stack/buckets.ts';
import { COMPONENT_TAG } from './stack/constants.ts';
import { createSchedules, createSqsTriggers } from './stack/triggers.ts';
import { topology as defaultTopology } from './topology.ts';
import { assertDeployable, type PipelineTopology, pascalCase } from './topology-checks.ts';

/** Repository root: topology entries are relative to it. */
export const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));

export * from './stack/constants.ts';

export interface PipelineStackProps extends StackProps {
  /** Defaults to `infra/topology.ts`; tests pass variants. */
  topology?: PipelineTopology;
  /** Root that `entry` paths are relative to; defaults to the repository root. */
  rootDir?: string;
  /**
   * Template tests only: when bundling is skipped, a function whose entry module does not exist yet gets a
   * placeholder instead of failing synthesis. A bundled synthesis (cdk synth, deploy) always fails instead.
   */
  allowMissingEntries?: boolean;
  /** The web console built (`buildConsole`) into this directory is deployed to its bucket (infra/app.ts). */
  consoleDir?: string;
}

export class PipelineStack extends Stack {
  readonly topology: PipelineTopology;
  readonly key: Key;
  readonly alarmTopic: Topic;
  readonly tables = new Map<string, Table>();
  readonly queues = new Map<string, EncryptedQueue>();
  readonly accessLogBucket: Bucket;
  readonly buckets = new Map<string, Bucket>();
  readonly secrets = new Map<string, Secret>();
  readonly functions = new Map<string, PipelineFunction>();
  /** Per scheduled function: DLQ of its schedules and of its asynchronous invocations. */
  readonly scheduleFailures = new Map<string, DeadLetterQueue>();
  readonly schedules: { fn: string; schedule: Schedule }[] = [];
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The Cognito user pool and its clients, when the topology has `signIn`. */
  readonly signIn: SignIn | undefined;
  /** The web console's bucket and CloudFront distribution (also serving the API under /v1/). */
  readonly consoleSite: ConsoleSite;
  /** Set once the stack-wide notifications handler has its acknowledgements (stack/buckets.ts). */
  notificationsHandlerAcknowledged = false;

  constructor(scope: Construct, id: string, props: PipelineStackProps = {}) {
    super(scope, id, props);
    // Server access logs are delivered under a bucket policy, not the legacy LogDelivery ACL.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    const t = props.topology ?? defaultTopology;
    assertDeployable(t);
    this.topology = t;
    const rootDir = props.rootDir ?? ROOT_DIR;

    this.key = this.createKey();
    this.alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'Dose pipeline alarms',
      masterKey: this.key,
      enforceSSL: true,
    });

    this.createTables(t);
    this.createQueues(t);
    this.accessLogBucket = createAccessLogBucket(this);
    createBuckets(this, t);
    this.createSecrets(t);
    this.createFunctions(t, rootDir, props.allowMissingEntries === true);
    this.signIn = this.createSignIn(t);
    createSqsTriggers(this, t);
    createSchedules(this, t);
    createLogAlarms(this);
    const { api, stage } = createApi(this, t);
    this.api = api;
    this.stage = stage;
    this.consoleSite = this.createConsoleSite(t, props.consoleDir);
    this.createOutputs();
  }

  private createKey(): Key {
    const key = new Key(this, 'Key', {
      description: 'Dose pipeline data: tables, queues, buckets, secrets, logs, alarms',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // The key also encrypts PHI tables: CloudWatch may use it only for alarms of this account and region
        // (no confused deputy acting for another account's alarm). Alarms by pattern, not ARN: an alarm names
        // the topic, which names the key, so the key policy naming an alarm would be a dependency cycle.
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    return key;
  }

  private createTables(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.tables)) {
      const table = new Table(this, `${pascalCase(name)}Table`, {
        partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
        sortKey: { name: spec.sortKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of spec.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
          ...(index.include
            ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] }
            : { projectionType: ProjectionType.ALL }),
        });
      }
      Tags.of(table).add(COMPONENT_TAG, `table/${name}`);
      this.tables.set(name, table);
    }
    if (this.tables.size === 0) return;

    // PITR restores any second of the last 35 days; the plan keeps monthly recovery points for a year.
    const vault = new BackupVault(this, 'BackupVault', {
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = BackupPlan.dailyMonthly1YearRetention(this, 'BackupPlan', vault);
    const selection = plan.addSelection('Tables', {
      resources: [...this.tables.values()].map((table) => BackupResource.fromDynamoDbTable(table)),
    });
    suppress(selection, [
      {
        id: 'AwsSolutions-IAM4',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
        ],
        reason:
          'AWS Backup assumes this role to snapshot the tables; AWSBackupServiceRolePolicyForBackup is the ' +
          'AWS-maintained policy for exactly that and follows new resource types without redeploys.',
      },
    ]);
  }

  private createQueues(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.queues)) {
      const queue = new EncryptedQueue(this, `${pascalCase(name)}Queue`, {
        spec,
        key: this.key,
        alarmTopic: this.alarmTopic,
      });
      Tags.of(queue.queue).add(COMPONENT_TAG, `queue/${name}`);
      Tags.of(queue.deadLetterQueue).add(COMPONENT_TAG, `queue/${name}/dlq`);
      this.queues.set(name, queue);
    }
  }

  private createSecrets(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.secrets)) {
      const secret = new Secret(this, `${pascalCase(name)}Secret`, {
        description: spec.description,
        encryptionKey: this.key,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const reason =
        'A bearer credential handed to people, not a database password: rotating it needs the holders to get the ' +
        'new value, so it is rotated by an operator (put-secret-value), not by a rotation Lambda.';
      suppress(secret, [
        { id: 'AwsSolutions-SMG4', reason },
        { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason },
      ]);
      Tags.of(secret).add(COMPONENT_TAG, `secret/${name}`);
      this.secrets.set(name, secret);
    }
  }

  private createFunctions(t: PipelineTopology, rootDir: string, allowMissingEntry: boolean): void {
    for (const [name, spec] of Object.entries(t.functions)) {
      const id = pascalCase(name);
      let failures: DeadLetterQueue | undefined;
      if ((spec.schedules?.length ?? 0) > 0) {
        failures = new DeadLetterQueue(this, `${id}Failures`, {
          key: this.key,
          alarmTopic: this.alarmTopic,
          description: `scheduled runs of ${name} that could not be delivered or failed after Lambda's retries`,
        });
        Tags.of(failures).add(COMPONENT_TAG, `function/${name}/dlq`);
        this.scheduleFailures.set(name, failures);
      }
      const fn = new PipelineFunction(this, `${id}Function`, {
        name,
        spec,
        rootDir,
        key: this.key,
        deadLetterQueue: failures?.queue,
        allowMissingEntry,
        ...(spec.cognitoTrigger ? { functionName: this.cognitoTriggerName(name) } : {}),
      });
      for (const [table, mode] of Object.entries(spec.tables ?? {})) {
        fn.bindTable({ table: this.tables.get(table)!, spec: t.tables[table]!, mode: mode! });
      }
      for (const queue of spec.sendsTo ?? []) {
        fn.bindQueue({ queue: this.queues.get(queue)!.queue, spec: t.queues[queue]! });
      }
      for (const queue of spec.watchesQueues ?? []) {
        const q = this.queues.get(queue)!;
        fn.bindQueueDepth({ queue: q.queue, deadLetters: q.deadLetterQueue.queue, spec: t.queues[queue]! });
      }
      for (const [bucket, access] of Object.entries(spec.buckets ?? {})) {
        fn.bindBucket({ bucket: this.buckets.get(bucket)!, spec: t.buckets[bucket]!, access: access! });
      }
      for (const secret of spec.secrets ?? []) {
        fn.bindSecret({ secret: this.secrets.get(secret)!, spec: t.secrets[secret]! });
      }

      const synchronous = this.synchronousInvoker(t, name);
      if (!failures && synchronous) {
        const reason = `Never invoked asynchronously: ${synchronous}, so a dead-letter queue would never receive anything.`;
        suppress(fn, [
          { id: 'HIPAA.Security-LambdaDLQ', reason },
          { id: 'Serverless-LambdaDLQ', reason },
        ]);
      }
      Tags.of(fn).add(COMPONENT_TAG, `function/${name}`);
      this.functions.set(name, fn);
    }
  }

  /** The fixed name of a Cognito trigger function (the user pool names it by ARN: constructs/sign-in.ts). */
  private cognitoTriggerName(name: string): string {
    return `${this.stackName}-${name}`.slice(0, 64);
  }

  /**
   * The console on CloudFront (constructs/console-site.ts): it calls Cognito and PUTs files to the buckets with
   * `cors` (the drop bucket), so those are its CSP's connect-src; they answer its origin; Cognito sends people
   * back to it.
   */
  private createConsoleSite(t: PipelineTopology, consoleDir: string | undefined): ConsoleSite {
    const region = Stack.of(this).region;
    const uploads = Object.keys(t.buckets)
      .filter((name) => t.buckets[name]!.cors)
      .map((name) => this.buckets.get(name)!);
    const site = new ConsoleSite(this, 'Console', {
      api: this.api,
      accessLogBucket: this.accessLogBucket,
      connectOrigins: [
        ...(this.signIn ? [`https://cognito-idp.${region}.amazonaws.com`, this.signIn.domain.baseUrl()] : []),
        // The drop bucket's own name would make a cycle (its CORS names the distribution, whose headers would
        // name it): the region's S3 domain instead; script-src 'self' keeps other scripts from using it.
        ...(uploads.length ? [`https://*.s3.${region}.amazonaws.com`] : []),
      ],
      ...(consoleDir ? { filesDir: consoleDir } : {}),
      ...(this.signIn
        ? {
            config: {
              issuer: this.signIn.issuer,
              clientId: this.signIn.consoleClient.userPoolClientId,
              logoutEndpoint: `${this.signIn.domain.baseUrl()}/logout`,
            },
          }
        : {}),
    });
    addBucketCors(this, t, site.url);
    // The console's own origin, besides any configured in the topology (a custom domain).
    this.signIn?.addConsoleOrigin(site.url);
    return site;
  }

  /** The user pool (topology.signIn); the authorizer gets its issuer and the clients' ids as audiences. */
  private createSignIn(t: PipelineTopology): SignIn | undefined {
    if (!t.signIn) return undefined;
    const [triggerName] = Object.entries(t.functions).find(
      ([, spec]) => spec.cognitoTrigger === 'preTokenGeneration',
    )!;
    const signIn = new SignIn(this, 'SignIn', {
      spec: t.signIn,
      trigger: this.functions.get(triggerName)!,
      triggerName: this.cognitoTriggerName(triggerName),
    });
    const authorizer = this.functions.get(t.api.authorizer)!;
    authorizer.addEnvironment(AUTH_ENV.issuer, signIn.issuer);
    authorizer.addEnvironment(AUTH_ENV.audience, signIn.audiences.join(','));
    return signIn;
  }

  /** How a function is invoked synchronously, if it is never invoked asynchronously. */
  private synchronousInvoker(t: PipelineTopology, name: string): string | undefined {
    const spec = t.functions[name]!;
    if ((spec.schedules?.length ?? 0) > 0) return undefined;
    const invokers: string[] = [];
    if (spec.cognitoTrigger)
      invokers.push(
        'Cognito invokes it synchronously as its user pool trigger and fails the sign-in on an error',
      );
    if (name === t.api.authorizer)
      invokers.push('API Gateway calls it synchronously as the Lambda authorizer');
    if ((spec.routes?.length ?? 0) + (spec.publicRoutes?.length ?? 0) > 0) {
      invokers.push('API Gateway invokes it synchronously and returns its errors to the caller');
    }
    if (spec.sqs) {
      invokers.push(
        `the SQS event source mapping invokes it synchronously and failed messages go to the ${spec.sqs.queue} DLQ by redrive policy`,
      );
    }
    return invokers.length > 0 ? invokers.join('; ') : undefined;
  }

  private createOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe operators here: dead-letter queue alarms',
    });
    if (this.signIn) {
      new CfnOutput(this, 'SignInUserPoolId', {
        value: this.signIn.userPool.userPoolId,
        description: 'The Cognito user pool of people and machine clients (docs/sign-in.md, In AWS)',
      });
      new CfnOutput(this, 'SignInIssuer', {
        value: this.signIn.issuer,
        description: 'OIDC_ISSUER: the issuer of the access tokens the API accepts',
      });
      new CfnOutput(this, 'SignInConsoleClientId', {
        value: this.signIn.consoleClient.userPoolClientId,
        description: "The web console's app client id (public: authorization code with PKCE)",
      });
      new CfnOutput(this, 'SignInHostedUiUrl', {
        value: this.signIn.domain.baseUrl(),
        description: 'The Cognito domain: sign-in pages, /oauth2/authorize, /oauth2/token, /logout',
      });
    }
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.consoleSite.url,
      description: 'The web console (and the API under /v1/), on CloudFront',
    });
    for (const [name, table] of this.tables) {
      new CfnOutput(this, `${pascalCase(name)}TableName`, {
        value: table.tableName,
        description: `${this.topology.tables[name]!.envVar} for the ${name} table`,
      });
    }
    for (const [name, queue] of this.queues) {
      new CfnOutput(this, `${pascalCase(name)}QueueUrl`, {
        value: queue.queue.queueUrl,
        description: `${this.topology.queues[name]!.envVar} for the ${name} queue`,
      });
    }
    for (const [name, bucket] of this.buckets) {
      new CfnOutput(this, `${pascalCase(name)}BucketName`, {
        value: bucket.bucketName,
        description: `${this.topology.buckets[name]!.envVar} for the ${name} bucket`,
      });
    }
    for (const [name, secret] of this.secrets) {
      new CfnOutput(this, `${pascalCase(name)}SecretArn`, {
        value: secret.secretArn,
        description: `${this.topology.secrets[name]!.envVar}_SECRET_ARN for the ${name} secret`,
      });
    }
  }
}
