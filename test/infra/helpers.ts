/**
 * Template-test helpers: synthesize the stack without bundling (fast) and read the template back as plain data.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { COMPONENT_TAG, PipelineStack, type PipelineStackProps } from '../../infra/stack.ts';
import { topology } from '../../infra/topology.ts';
import type { PipelineTopology } from '../../infra/topology-checks.ts';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown> & { Tags?: { Key: string; Value: string }[] };
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
  Metadata?: Record<string, unknown>;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** A PipelineStack synthesized with bundling skipped, and its template. */
export function synthStack(props: PipelineStackProps = {}): {
  app: App;
  stack: PipelineStack;
  template: Template;
  resources: Record<string, CfnResource>;
} {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PipelineStack(app, 'Pipeline', { allowMissingEntries: true, ...props });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  return { app, stack, template, resources };
}

export function ofType(resources: Record<string, CfnResource>, type: string): [string, CfnResource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** The `pipeline:component` tag of a resource (`function/doses`, `queue/registry/dlq`, …). */
export function component(resource: CfnResource): string | undefined {
  return resource.Properties?.Tags?.find((tag) => tag.Key === COMPONENT_TAG)?.Value;
}

/** Logical id of the one resource of `type` tagged `value`. */
export function logicalIdOf(resources: Record<string, CfnResource>, type: string, value: string): string {
  const found = ofType(resources, type).filter(([, r]) => component(r) === value);
  if (found.length !== 1) throw new Error(`expected one ${type} tagged ${value}, found ${found.length}`);
  return found[0]![0];
}

/** `{ Ref: X }` / `{ 'Fn::GetAtt': [X, …] }` → X. */
export function refOf(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}

/** Every logical id a value mentions (Ref / GetAtt, at any depth). */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const id = refOf(v);
      if (id) ids.add(id);
      for (const child of Object.values(v)) walk(child);
    }
  };
  walk(value);
  return ids;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of the IAM policies attached to a role. */
export function statementsOfRole(resources: Record<string, CfnResource>, roleId: string): Statement[] {
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties!.Roles as unknown[]).some((role) => refOf(role) === roleId))
    .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The execution role's statements of the function tagged `function/<name>`. */
export function functionStatements(resources: Record<string, CfnResource>, name: string): Statement[] {
  const fnId = logicalIdOf(resources, 'AWS::Lambda::Function', `function/${name}`);
  const roleId = refOf(resources[fnId]!.Properties!.Role)!;
  return statementsOfRole(resources, roleId);
}

/**
 * The S3 grants of the function tagged `function/<name>`, one `"<action> <bucket>/<key pattern>"` per action
 * and resource (`"s3:GetObject drop/results/*"`, the bucket by its topology name), sorted. A resource that is
 * not an object ARN of a topology bucket is kept as its JSON, so it shows up in a comparison.
 */
export function bucketGrants(resources: Record<string, CfnResource>, name: string): string[] {
  const bucketNames = new Map(
    ofType(resources, 'AWS::S3::Bucket')
      .filter(([, r]) => component(r)?.startsWith('bucket/'))
      .map(([id, r]) => [id, component(r)!.slice('bucket/'.length)]),
  );
  const objects = (resource: unknown): string => {
    const join = (resource as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
    if (join?.[0] === '' && join[1].length === 2 && typeof join[1][1] === 'string') {
      const bucket = bucketNames.get(refOf(join[1][0]) ?? '');
      if (bucket) return `${bucket}${join[1][1]}`;
    }
    return JSON.stringify(resource);
  };
  // s3:ListBucket is granted on the bucket, limited to prefixes by an s3:prefix condition: shown per prefix.
  const listed = (s: { Resource?: unknown; Condition?: unknown }): string[] => {
    const bucket = bucketNames.get(getAttOf(asArray(s.Resource)[0]) ?? '') ?? JSON.stringify(s.Resource);
    const prefixes = (s.Condition as { StringLike?: { 's3:prefix'?: string | string[] } } | undefined)
      ?.StringLike?.['s3:prefix'];
    return prefixes === undefined
      ? [`${bucket} (any prefix)`]
      : asArray(prefixes).map((p) => `${bucket}/${p}`);
  };
  return functionStatements(resources, name)
    .flatMap((s) =>
      asArray(s.Action)
        .filter((action) => action.startsWith('s3:'))
        .flatMap((action) =>
          action === 's3:ListBucket'
            ? listed(s).map((l) => `${action} ${l}`)
            : asArray(s.Resource).map((resource) => `${action} ${objects(resource)}`),
        ),
    )
    .sort();
}

/**
 * The real topology with its registry-queue consumer replaced by one with the given settings (a placeholder
 * entry: bundling is skipped).
 */
export function withRegistryConsumer(timeoutSeconds: number, maximumConcurrency = 5): PipelineTopology {
  const { registryReporter: _real, ...others } = topology.functions;
  return {
    ...topology,
    functions: {
      ...others,
      registryPublisher: {
        entry: 'functions/queue/registry-publisher.test-only.ts',
        description: 'Test consumer of the registry queue',
        timeoutSeconds,
        memoryMb: 512,
        sqs: {
          queue: 'registry',
          batchSize: 10,
          maxBatchingWindowSeconds: 5,
          reportBatchItemFailures: true,
          maximumConcurrency,
        },
      },
    },
  };
}

/**
 * The real topology plus more of what it uses: another SQS consumer (with a batching window), and functions
 * that only read (incoming/) or only write (work/) the bucket (placeholder entries: bundling is skipped).
 */
export function extendedTopology(): PipelineTopology {
  const base = withRegistryConsumer(60);
  return {
    ...base,
    queues: {
      ...base.queues,
      testOnly: {
        name: 'test-only',
        envVar: 'TEST_ONLY_QUEUE_URL',
        visibilityTimeoutSeconds: 180,
        maxReceiveCount: 3,
        retentionDays: 4,
      },
    },
    functions: {
      ...base.functions,
      dropReader: {
        entry: 'functions/test-only/drop-reader.ts',
        description: 'Test reader of the drop bucket',
        timeoutSeconds: 30,
        memoryMb: 256,
        buckets: { drop: { read: ['incoming/'] } },
        // The topology's type knows only the real queues; this one is added above.
        sqs: {
          queue: 'testOnly' as 'cdc',
          batchSize: 5,
          maxBatchingWindowSeconds: 0,
          reportBatchItemFailures: true,
        },
      },
      dropWriter: {
        entry: 'functions/test-only/drop-writer.ts',
        description: 'Test writer of the drop bucket',
        timeoutSeconds: 10,
        memoryMb: 256,
        buckets: { drop: { write: ['work/'] } },
        routes: ['POST /v1/test-only/drops'],
      },
    },
  };
}

/** The logical id in `{"Fn::GetAtt": [id, "Arn"]}`. */
function getAttOf(value: unknown): string | undefined {
  const att = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return att?.[0];
}
