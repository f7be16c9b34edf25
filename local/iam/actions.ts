/**
 * What AWS authorizes for an SDK call: the IAM action(s) and resource ARN(s) a command with this input needs,
 * including the ones the request implies (s3:GetObjectVersion for a read naming a VersionId, kms: actions where
 * the resource is encrypted with a customer managed key).
 *
 * Sources: the Service Authorization Reference per service (S3, DynamoDB, SQS, Secrets Manager), and for KMS the
 * services' encryption guides: S3 SSE-KMS (GET/copy source → kms:Decrypt; PUT/CreateMultipartUpload/copy
 * destination → kms:GenerateDataKey; UploadPart(Copy) → kms:Decrypt), SQS SSE (send → kms:GenerateDataKey and
 * kms:Decrypt, receive → kms:Decrypt), DynamoDB with a customer managed key (kms:Decrypt to use the table), Secrets
 * Manager (GetSecretValue → kms:Decrypt).
 */

export interface RequiredPermission {
  action: string;
  resource: string;
  /** Condition keys the request carries (s3:prefix for a listing). */
  context?: Record<string, string | string[]>;
}

export interface SdkCall {
  /** The client's name as the SDK gives it: `S3Client`, `DynamoDBClient`, `SQSClient`, … */
  client: string;
  /** The command's name: `GetObjectCommand`, … */
  command: string;
  input: Record<string, unknown>;
}

export interface ArnContext {
  account: string;
  region: string;
  /** The local ARN of the customer managed key a resource (by local ARN) is encrypted with, if any. */
  encryptedWith: Record<string, string>;
}

/** The IAM service prefix of an SDK client, or undefined for one this module does not know. */
const SERVICE_OF_CLIENT: Record<string, string> = {
  S3Client: 's3',
  DynamoDBClient: 'dynamodb',
  SQSClient: 'sqs',
  SecretsManagerClient: 'secretsmanager',
  KMSClient: 'kms',
  LambdaClient: 'lambda',
  SNSClient: 'sns',
};

export function serviceOf(client: string): string | undefined {
  return SERVICE_OF_CLIENT[client];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function tableArn(nameOrArn: string, ctx: ArnContext): string {
  return nameOrArn.startsWith('arn:')
    ? nameOrArn
    : `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${nameOrArn}`;
}

/** `http://host/<account>/<name>` (or a queue name) → the queue's ARN. */
export function queueArn(urlOrName: string, ctx: ArnContext): string {
  let account = ctx.account;
  let name = urlOrName;
  if (/^https?:\/\//.test(urlOrName)) {
    const parts = new URL(urlOrName).pathname.split('/').filter(Boolean);
    name = parts.at(-1) ?? '';
    if (parts.length >= 2 && /^\d{12}$/.test(parts.at(-2)!)) account = parts.at(-2)!;
  }
  return `arn:aws:sqs:${ctx.region}:${account}:${name}`;
}

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** `bucket/key?versionId=v` (URL-encoded, optionally with a leading slash) → its parts. */
export function parseCopySource(copySource: string): { bucket: string; key: string; versionId?: string } {
  const [path, query] = copySource.replace(/^\//, '').split('?', 2) as [string, string | undefined];
  const decoded = decodeURIComponent(path);
  const slash = decoded.indexOf('/');
  const versionId = query ? (new URLSearchParams(query).get('versionId') ?? undefined) : undefined;
  return {
    bucket: decoded.slice(0, slash),
    key: decoded.slice(slash + 1),
    ...(versionId ? { versionId } : {}),
  };
}

/** The kms: actions on the resource's key, when it has a customer managed one. */
function kms(resourceArn: string, actions: string[], ctx: ArnContext): RequiredPermission[] {
  const key = ctx.encryptedWith[resourceArn];
  return key ? actions.map((action) => ({ action, resource: key })) : [];
}

function s3Permissions(
  command: string,
  input: Record<string, unknown>,
  ctx: ArnContext,
): RequiredPermission[] {
  const bucket = str(input.Bucket) ?? '';
  const key = str(input.Key) ?? '';
  const versioned = str(input.VersionId) !== undefined;
  const object = objectArn(bucket, key);
  const bucketKms = (actions: string[]) => kms(bucketArn(bucket), actions, ctx);
  switch (command) {
    case 'GetObject':
      return [
        { action: versioned ? 's3:GetObjectVersion' : 's3:GetObject', resource: object },
        ...bucketKms(['kms:Decrypt']),
      ];
    case 'HeadObject':
      // HEAD is authorized as GET (of the version, when it names one); it decrypts nothing.
      return [{ action: versioned ? 's3:GetObjectVersion' : 's3:GetObject', resource: object }];
    case 'GetObjectAttributes':
      return [
        { action: versioned ? 's3:GetObjectVersionAttributes' : 's3:GetObjectAttributes', resource: object },
      ];
    case 'PutObject':
      return [
        { action: 's3:PutObject', resource: object },
        ...(input.Tagging ? [{ action: 's3:PutObjectTagging', resource: object }] : []),
        ...bucketKms(['kms:GenerateDataKey']),
      ];
    case 'CopyObject':
    case 'UploadPartCopy': {
      const source = parseCopySource(str(input.CopySource) ?? '');
      const sourceObject = objectArn(source.bucket, source.key);
      return [
        { action: source.versionId ? 's3:GetObjectVersion' : 's3:GetObject', resource: sourceObject },
        ...kms(bucketArn(source.bucket), ['kms:Decrypt'], ctx),
        { action: 's3:PutObject', resource: object },
        ...bucketKms(command === 'CopyObject' ? ['kms:GenerateDataKey'] : ['kms:Decrypt']),
      ];
    }
    case 'CreateMultipartUpload':
      return [{ action: 's3:PutObject', resource: object }, ...bucketKms(['kms:GenerateDataKey'])];
    case 'UploadPart':
      return [{ action: 's3:PutObject', resource: object }, ...bucketKms(['kms:Decrypt'])];
    case 'CompleteMultipartUpload':
      return [{ action: 's3:PutObject', resource: object }];
    case 'AbortMultipartUpload':
      return [{ action: 's3:AbortMultipartUpload', resource: object }];
    case 'ListParts':
      return [{ action: 's3:ListMultipartUploadParts', resource: object }];
    case 'DeleteObject':
      return [{ action: versioned ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: object }];
    case 'DeleteObjects': {
      const objects = ((input.Delete as { Objects?: { Key?: string; VersionId?: string }[] } | undefined)
        ?.Objects ?? []) as { Key?: string; VersionId?: string }[];
      return objects.map((o) => ({
        action: o.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject',
        resource: objectArn(bucket, o.Key ?? ''),
      }));
    }
    case 'ListObjects':
    case 'ListObjectsV2':
      return [
        {
          action: 's3:ListBucket',
          resource: bucketArn(bucket),
          context: { 's3:prefix': str(input.Prefix) ?? '' },
        },
      ];
    case 'ListObjectVersions':
      return [
        {
          action: 's3:ListBucketVersions',
          resource: bucketArn(bucket),
          context: { 's3:prefix': str(input.Prefix) ?? '' },
        },
      ];
    case 'ListMultipartUploads':
      return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn(bucket) }];
    case 'HeadBucket':
      return [{ action: 's3:ListBucket', resource: bucketArn(bucket) }];
    case 'GetObjectTagging':
      return [{ action: versioned ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', resource: object }];
    case 'PutObjectTagging':
      return [{ action: versioned ? 's3:PutObjectVersionTagging' : 's3:PutObjectTagging', resource: object }];
  }
  return [{ action: `s3:${command}`, resource: key ? object : bucketArn(bucket) }];
}

const TRANSACT_WRITE_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

function dynamodbPermissions(
  command: string,
  input: Record<string, unknown>,
  ctx: ArnContext,
): RequiredPermission[] {
  const out: RequiredPermission[] = [];
  const tables = new Set<string>();
  const on = (action: string, table: string, index?: string) => {
    const arn = tableArn(table, ctx);
    tables.add(arn);
    out.push({ action, resource: index ? `${arn}/index/${index}` : arn });
  };
  switch (command) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      for (const table of Object.keys((input.RequestItems as Record<string, unknown>) ?? {})) {
        on(`dynamodb:${command}`, table);
      }
      break;
    case 'TransactWriteItems':
      for (const item of (input.TransactItems as Record<string, { TableName?: string }>[]) ?? []) {
        for (const [kind, op] of Object.entries(item)) {
          const action = TRANSACT_WRITE_ACTIONS[kind];
          if (action && op?.TableName) on(action, op.TableName);
        }
      }
      break;
    case 'TransactGetItems':
      for (const item of (input.TransactItems as { Get?: { TableName?: string } }[]) ?? []) {
        if (item.Get?.TableName) on('dynamodb:GetItem', item.Get.TableName);
      }
      break;
    case 'Query':
    case 'Scan':
      on(`dynamodb:${command}`, str(input.TableName) ?? '', str(input.IndexName));
      break;
    default:
      on(`dynamodb:${command}`, str(input.TableName) ?? str(input.TableArn) ?? str(input.ResourceArn) ?? '');
  }
  // A table encrypted with a customer managed key is usable only with kms:Decrypt on that key.
  const dataPlane =
    !/^(Describe|List|Create|Delete|Update)(Table|TimeToLive|ContinuousBackups|Backup|Tags)/.test(command);
  if (dataPlane) for (const table of tables) out.push(...kms(table, ['kms:Decrypt'], ctx));
  return dedupe(out);
}

/** SQS actions by operation: batches are authorized as their single-message action. */
const SQS_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'sqs:SendMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
};

function sqsPermissions(
  command: string,
  input: Record<string, unknown>,
  ctx: ArnContext,
): RequiredPermission[] {
  const queue = queueArn(str(input.QueueUrl) ?? str(input.QueueName) ?? '', ctx);
  const action = SQS_ACTIONS[command] ?? `sqs:${command}`;
  const out: RequiredPermission[] = [{ action, resource: queue }];
  if (action === 'sqs:SendMessage') out.push(...kms(queue, ['kms:GenerateDataKey', 'kms:Decrypt'], ctx));
  if (action === 'sqs:ReceiveMessage') out.push(...kms(queue, ['kms:Decrypt'], ctx));
  return out;
}

function secretsPermissions(
  command: string,
  input: Record<string, unknown>,
  ctx: ArnContext,
): RequiredPermission[] {
  const id = str(input.SecretId) ?? '';
  const arn = id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${ctx.region}:${ctx.account}:secret:${id}`;
  // A secret's ARN ends in a random suffix (`-AbCdEf`) AWS adds; the local ARN has none.
  const key = ctx.encryptedWith[arn] ?? ctx.encryptedWith[arn.replace(/-[A-Za-z0-9]{6}$/, '')];
  return [
    { action: `secretsmanager:${command}`, resource: arn },
    ...(command === 'GetSecretValue' && key ? [{ action: 'kms:Decrypt', resource: key }] : []),
  ];
}

function dedupe(permissions: RequiredPermission[]): RequiredPermission[] {
  const seen = new Set<string>();
  return permissions.filter((p) => {
    const id = `${p.action} ${p.resource} ${JSON.stringify(p.context ?? {})}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Every permission the call needs, in the order AWS would check them (the operation's own action first). An
 * operation this module does not map is authorized as `<service>:<Operation>` on its table, queue, bucket or
 * `*`; the evaluator rejects an action that does not exist, so a gap here shows up rather than passing.
 */
export function requiredPermissions(call: SdkCall, ctx: ArnContext): RequiredPermission[] {
  const service = serviceOf(call.client);
  const operation = call.command.replace(/Command$/, '');
  const input = call.input ?? {};
  switch (service) {
    case 's3':
      return dedupe(s3Permissions(operation, input, ctx));
    case 'dynamodb':
      return dynamodbPermissions(operation, input, ctx);
    case 'sqs':
      return sqsPermissions(operation, input, ctx);
    case 'secretsmanager':
      return secretsPermissions(operation, input, ctx);
    case 'kms':
      return [{ action: `kms:${operation}`, resource: str(input.KeyId) ?? '*' }];
    case 'lambda':
      return [
        {
          action: operation === 'Invoke' ? 'lambda:InvokeFunction' : `lambda:${operation}`,
          resource: `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${str(input.FunctionName) ?? '*'}`,
        },
      ];
  }
  const prefix = service ?? call.client.replace(/Client$/, '').toLowerCase();
  return [{ action: `${prefix}:${operation}`, resource: '*' }];
}
