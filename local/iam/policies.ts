/**
 * The IAM policies `cdk synth` gives each function's execution role, with CloudFormation tokens resolved to the
 * local resources' ARNs: what the local runtime enforces (local/iam/enforce.ts).
 *
 * The stack (infra/stack.ts) is synthesized in-process with asset bundling skipped, as the template tests do.
 * That takes several seconds, so the extracted policies are cached under `.data/iam/`, keyed by a hash of every
 * file under infra/, this file and the aws-cdk-lib version: an edit to a grant is picked up on the next start.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { topology } from '../../infra/topology.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../clients.ts';
import { dlqName } from '../provision.ts';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface FunctionPolicy {
  /** Role name as it appears locally (`Pipeline-<role logical id>`). */
  role: string;
  /** Every statement of the identity policies attached to the role, tokens resolved. */
  statements: PolicyStatement[];
}

export interface LocalIamPolicies {
  account: string;
  region: string;
  /** Local ARN of the stack's customer managed key. */
  keyArn: string;
  /**
   * Local ARN of each table, queue, bucket and secret the template encrypts with a customer managed key → that
   * key's local ARN (the implied kms: actions of a call on them are evaluated against it).
   */
  encryptedWith: Record<string, string>;
  /**
   * Resource policies by the local ARN of their resource (bucket, queue, key, secret): the key policy, the
   * buckets' and queues' TLS-only denies. A request on an object is evaluated with its bucket's.
   */
  resourcePolicies: Record<string, { Version?: string; Statement: PolicyStatement[] }>;
  /** Per topology function name. */
  functions: Record<string, FunctionPolicy>;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown> & { Tags?: { Key: string; Value: string }[] };
}

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const COMPONENT_TAG = 'pipeline:component';
const STACK_NAME = 'Pipeline';
/** A fixed id for the one key locally (there is no KMS stand-in: only its ARN is needed). */
export const LOCAL_KEY_ID = '00000000-0000-4000-8000-000000000001';

/** What a logical id resolves to locally: its `Ref` value and its `Fn::GetAtt` attributes. */
export interface LocalResource {
  ref: string;
  attributes: Record<string, string>;
}

export interface ResolveContext {
  resources: Map<string, LocalResource>;
  account: string;
  region: string;
}

/** Value a logical id or attribute that has no local counterpart resolves to: it matches no request. */
function unresolved(what: string): string {
  return `arn:aws:local-unresolved:::${what}`;
}

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) and pseudo
 * parameters in a policy value to local strings.
 */
export function resolveTokens(value: unknown, ctx: ResolveContext): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.account,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': STACK_NAME,
    'AWS::NoValue': '',
  };
  const ref = (name: string): string => pseudo[name] ?? ctx.resources.get(name)?.ref ?? unresolved(name);
  const getAtt = (id: string, attribute: string): string =>
    ctx.resources.get(id)?.attributes[attribute] ?? unresolved(`${id}.${attribute}`);
  const str = (v: unknown): string => {
    const r = resolveTokens(v, ctx);
    if (typeof r !== 'string') throw new Error(`expected a string from ${JSON.stringify(v)}`);
    return r;
  };

  if (Array.isArray(value)) return value.map((v) => resolveTokens(v, ctx));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    switch (fn) {
      case 'Ref':
        return ref(str(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg.map(str) : str(arg).split(/\.(.*)/s);
        return getAtt(id!, attribute!);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        const resolved = resolveTokens(parts, ctx);
        return (Array.isArray(resolved) ? resolved : [resolved]).map((p) => String(p)).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const resolved = resolveTokens(list, ctx) as unknown[];
        return resolved[Number(resolveTokens(index, ctx))];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return str(source).split(separator);
      }
      case 'Fn::Sub': {
        const [template, vars]: [unknown, Record<string, unknown>] = Array.isArray(arg)
          ? (arg as [string, Record<string, unknown>])
          : [arg, {}];
        return String(template).replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
          if (name in vars) return str(vars[name]);
          if (name in pseudo) return pseudo[name]!;
          const [id, attribute] = name.split(/\.(.*)/s);
          return attribute ? getAtt(id!, attribute) : ref(id!);
        });
      }
      case 'Fn::ImportValue':
        return unresolved(`import:${JSON.stringify(arg)}`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveTokens(v, ctx)]));
}

function componentOf(resource: CfnResource): string | undefined {
  return resource.Properties?.Tags?.find((t) => t.Key === COMPONENT_TAG)?.Value;
}

/** Logical id in `{ Ref: id }` or `{ 'Fn::GetAtt': [id, …] }`. */
function idOf(value: unknown): string | undefined {
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown } | undefined;
  if (typeof v?.Ref === 'string') return v.Ref;
  const att = v?.['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/** Local names of the template's resources: from their component tags and the topology's names. */
export function localResources(
  resources: Record<string, CfnResource>,
  account = LOCAL_ACCOUNT_ID,
  region = LOCAL_REGION,
): Map<string, LocalResource> {
  const out = new Map<string, LocalResource>();
  const tables = topology.tables as Record<string, { name: string }>;
  const queues = topology.queues as Record<string, { name: string }>;
  const buckets = topology.buckets as Record<string, { name: string }>;
  for (const [id, resource] of Object.entries(resources)) {
    const component = componentOf(resource) ?? '';
    const [kind, name, sub] = component.split('/');
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const table = tables[name ?? '']?.name;
        if (kind !== 'table' || !table) break;
        const arn = `arn:aws:dynamodb:${region}:${account}:table/${table}`;
        out.set(id, { ref: table, attributes: { Arn: arn, StreamArn: `${arn}/stream/local` } });
        break;
      }
      case 'AWS::SQS::Queue': {
        let queue: string | undefined;
        if (kind === 'queue' && queues[name ?? '']) {
          queue = sub === 'dlq' ? dlqName(queues[name!]!.name) : queues[name!]!.name;
        } else if (kind === 'function' && sub === 'dlq') queue = `${name}-failures`;
        if (!queue) break;
        out.set(id, {
          ref: `http://localhost/${account}/${queue}`,
          attributes: { Arn: `arn:aws:sqs:${region}:${account}:${queue}`, QueueName: queue },
        });
        break;
      }
      case 'AWS::S3::Bucket': {
        const bucket = kind === 'bucket' ? buckets[name ?? '']?.name : undefined;
        if (!bucket) break;
        out.set(id, { ref: bucket, attributes: { Arn: `arn:aws:s3:::${bucket}` } });
        break;
      }
      case 'AWS::SecretsManager::Secret': {
        if (kind !== 'secret' || !name) break;
        out.set(id, { ref: `arn:aws:secretsmanager:${region}:${account}:secret:${name}`, attributes: {} });
        break;
      }
      case 'AWS::KMS::Key':
        out.set(id, {
          ref: LOCAL_KEY_ID,
          attributes: { Arn: `arn:aws:kms:${region}:${account}:key/${LOCAL_KEY_ID}`, KeyId: LOCAL_KEY_ID },
        });
        break;
      case 'AWS::Lambda::Function': {
        if (kind !== 'function' || !name || sub) break;
        out.set(id, {
          ref: name,
          attributes: { Arn: `arn:aws:lambda:${region}:${account}:function:${name}` },
        });
        break;
      }
      case 'AWS::Logs::LogGroup': {
        out.set(id, {
          ref: id,
          attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${id}:*` },
        });
        break;
      }
      case 'AWS::IAM::Role':
        out.set(id, {
          ref: `${STACK_NAME}-${id}`,
          attributes: { Arn: `arn:aws:iam::${account}:role/${STACK_NAME}-${id}` },
        });
        break;
    }
  }
  return out;
}

/** The per-function identity policies and encrypted resources of a synthesized template, tokens resolved. */
export function extractPolicies(
  template: { Resources: Record<string, CfnResource> },
  account = LOCAL_ACCOUNT_ID,
  region = LOCAL_REGION,
): LocalIamPolicies {
  const resources = template.Resources;
  const ctx: ResolveContext = { resources: localResources(resources, account, region), account, region };
  const keys = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::KMS::Key');
  if (keys.length !== 1) throw new Error(`expected one AWS::KMS::Key in the template, found ${keys.length}`);
  const keyArn = ctx.resources.get(keys[0]![0])!.attributes.Arn!;

  const encryptedWith: Record<string, string> = {};
  const encrypt = (id: string, keyRef: unknown) => {
    const local = ctx.resources.get(id);
    const key = keyRef === undefined ? undefined : resolveTokens(keyRef, ctx);
    if (!local || typeof key !== 'string' || !key.startsWith('arn:aws:kms:')) return;
    encryptedWith[local.attributes.Arn ?? local.ref] = key;
  };
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::DynamoDB::Table') {
      encrypt(id, (p.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId);
    } else if (r.Type === 'AWS::SQS::Queue') encrypt(id, p.KmsMasterKeyId);
    else if (r.Type === 'AWS::S3::Bucket') {
      const rules = (
        p.BucketEncryption as
          | {
              ServerSideEncryptionConfiguration?: {
                ServerSideEncryptionByDefault?: Record<string, unknown>;
              }[];
            }
          | undefined
      )?.ServerSideEncryptionConfiguration;
      encrypt(id, rules?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
    } else if (r.Type === 'AWS::SecretsManager::Secret') encrypt(id, p.KmsKeyId);
  }
  const resourcePolicies: LocalIamPolicies['resourcePolicies'] = {};
  const attach = (target: unknown, document: unknown) => {
    const local = ctx.resources.get(idOf(target) ?? '');
    if (!local) return;
    const arn = local.attributes.Arn ?? local.ref;
    const policy = resolveTokens(document, ctx) as { Version?: string; Statement: PolicyStatement[] };
    const existing = resourcePolicies[arn];
    if (existing) existing.Statement.push(...policy.Statement);
    else resourcePolicies[arn] = policy;
  };
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::KMS::Key') attach({ Ref: id }, p.KeyPolicy);
    else if (r.Type === 'AWS::S3::BucketPolicy') attach(p.Bucket, p.PolicyDocument);
    else if (r.Type === 'AWS::SQS::QueuePolicy') {
      for (const queue of (p.Queues as unknown[]) ?? []) attach(queue, p.PolicyDocument);
    } else if (r.Type === 'AWS::SecretsManager::ResourcePolicy') attach(p.SecretId, p.ResourcePolicy);
  }

  const functions: Record<string, FunctionPolicy> = {};
  for (const [, fn] of Object.entries(resources)) {
    if (fn.Type !== 'AWS::Lambda::Function') continue;
    const [kind, name, sub] = (componentOf(fn) ?? '').split('/');
    if (kind !== 'function' || !name || sub) continue;
    const roleId = idOf(fn.Properties?.Role);
    const role = roleId ? resources[roleId] : undefined;
    if (!roleId || !role) throw new Error(`function ${name}: no role in the template`);
    if ((role.Properties?.ManagedPolicyArns as unknown[] | undefined)?.length) {
      throw new Error(`function ${name}: managed policies on its role cannot be evaluated locally`);
    }
    const documents: unknown[] = [];
    for (const inline of (role.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
      documents.push(inline.PolicyDocument);
    }
    for (const policy of Object.values(resources)) {
      if (policy.Type !== 'AWS::IAM::Policy') continue;
      const roles = (policy.Properties?.Roles as unknown[] | undefined) ?? [];
      if (roles.some((r) => idOf(r) === roleId)) documents.push(policy.Properties!.PolicyDocument);
    }
    const statements = documents.flatMap(
      (doc) => (resolveTokens(doc, ctx) as { Statement: PolicyStatement[] }).Statement,
    );
    functions[name] = { role: `${STACK_NAME}-${roleId}`, statements };
  }
  return { account, region, keyArn, encryptedWith, resourcePolicies, functions };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** Hash of what the synthesized policies depend on: infra/, this extraction, the CDK version. */
export function policiesHash(rootDir = REPO_ROOT): string {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(join(rootDir, 'infra')), join(import.meta.dirname, 'policies.ts')]) {
    hash.update(file.slice(rootDir.length)).update('\0').update(readFileSync(file)).update('\0');
  }
  const cdk = join(rootDir, 'node_modules/aws-cdk-lib/package.json');
  if (existsSync(cdk)) hash.update((JSON.parse(readFileSync(cdk, 'utf8')) as { version: string }).version);
  return hash.digest('hex').slice(0, 16);
}

/** Synthesizes the real stack (no bundling) and answers its template. */
export async function synthesizeTemplate(): Promise<{ Resources: Record<string, CfnResource> }> {
  const { App } = await import('aws-cdk-lib');
  const { PipelineStack } = await import('../../infra/stack.ts');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  new PipelineStack(app, STACK_NAME);
  return app.synth().getStackByName(STACK_NAME).template as { Resources: Record<string, CfnResource> };
}

export interface LoadPoliciesOptions {
  /** Where cached policies are kept (default `<repo>/.data/iam`). */
  cacheDir?: string;
  logger?: (line: string) => void;
}

/** The synthesized policies, from the cache when infra/ has not changed since they were extracted. */
export async function loadPolicies(options: LoadPoliciesOptions = {}): Promise<LocalIamPolicies> {
  const cacheDir = options.cacheDir ?? join(REPO_ROOT, '.data', 'iam');
  const file = join(cacheDir, `policies-${policiesHash()}.json`);
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as LocalIamPolicies;
    } catch {
      // A torn or foreign file: synthesize again.
    }
  }
  const started = Date.now();
  const policies = extractPolicies(await synthesizeTemplate());
  options.logger?.(
    `[local] IAM: synthesized the stack's function policies in ${Date.now() - started} ms (cached in ${file})`,
  );
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(policies, null, 1)}\n`);
  renameSync(tmp, file);
  return policies;
}
