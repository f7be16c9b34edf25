import { describe, expect, it } from 'vitest';
import { topology } from '../../infra/topology.ts';
import {
  asArray,
  bucketGrants,
  component,
  extendedTopology,
  functionStatements,
  logicalIdOf,
  ofType,
  referencedIds,
  refOf,
  type Statement,
  synthStack,
} from './helpers.ts';

import {
  actionsOf,
  functionId,
  keyId,
  keyIdOf,
  queueId,
  resources,
  tableId,
  WRITE_ACTIONS,
} from './stack-fixture.ts';

describe('least privilege', () => {
  it('no role has a managed policy, and "*" resources carry only X-Ray trace actions', () => {
    for (const [id, role] of ofType(resources, 'AWS::IAM::Role')) {
      if (component(role)?.startsWith('function/'))
        expect(role.Properties!.ManagedPolicyArns, id).toBeUndefined();
    }
    for (const [, policy] of ofType(resources, 'AWS::IAM::Policy')) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
        if (asArray(statement.Resource).includes('*')) {
          expect(asArray(statement.Action).sort()).toEqual([
            'xray:PutTelemetryRecords',
            'xray:PutTraceSegments',
          ]);
        }
      }
    }
  });

  it('the authorizer cannot write the doses table (nor any table)', () => {
    const statements = functionStatements(resources, topology.api.authorizer);
    const dosesTable = tableId('doses');
    for (const statement of statements) expect(referencedIds(statement.Resource)).not.toContain(dosesTable);
    for (const action of WRITE_ACTIONS) expect(actionsOf(statements)).not.toContain(action);
  });

  it('the openapi function has no table, queue, bucket or secret access', () => {
    const actions = actionsOf(functionStatements(resources, 'openapi'));
    expect(actions.filter((a) => /^(dynamodb|sqs|s3|secretsmanager|kms):/.test(a))).toEqual([]);
  });

  it.each(Object.entries(topology.functions))(
    '%s gets exactly the access topology lists',
    (name, rawSpec) => {
      const spec = rawSpec as {
        tables?: Record<string, 'read' | 'write'>;
        sendsTo?: readonly string[];
        watchesQueues?: readonly string[];
        secrets?: readonly string[];
        sqs?: { queue: string };
        buckets?: Record<
          string,
          { read?: readonly string[]; readVersions?: readonly string[]; write?: readonly string[] }
        >;
      };
      const statements = functionStatements(resources, name);
      const touched = (prefix: string, actions?: string[]) =>
        new Set(
          statements
            .filter((s) =>
              asArray(s.Action).some((a) => a.startsWith(prefix) && (!actions || actions.includes(a))),
            )
            .flatMap((s) => [...referencedIds(s.Resource)]),
        );
      const tables = Object.entries(spec.tables ?? {});
      expect([...touched('dynamodb:')].sort()).toEqual(tables.map(([t]) => tableId(t)).sort());
      expect([...touched('dynamodb:', WRITE_ACTIONS)].sort()).toEqual(
        tables
          .filter(([, mode]) => mode === 'write')
          .map(([t]) => tableId(t))
          .sort(),
      );
      const failureQueue = resources[functionId(name)]!.Properties!.DeadLetterConfig as
        | { TargetArn: unknown }
        | undefined;
      const consumed = spec.sqs ? queueId(spec.sqs.queue) : undefined;
      expect([...touched('sqs:')].sort()).toEqual(
        [
          ...new Set([
            ...(spec.sendsTo ?? []).map(queueId),
            // Pipeline health reads the depth of each queue and its dead-letter queue (GetQueueAttributes).
            ...(spec.watchesQueues ?? []).flatMap((q) => [queueId(q), queueId(`${q}/dlq`)]),
            ...(failureQueue ? [refOf(failureQueue.TargetArn)!] : []),
            ...(consumed ? [consumed] : []),
          ]),
        ].sort(),
      );
      // Sending everywhere it sends; receiving, deleting and extending visibility only on the queue it consumes.
      const consumeActions = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'];
      for (const statement of statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')))) {
        const others = asArray(statement.Action).filter(
          (a) => a.startsWith('sqs:') && a !== 'sqs:SendMessage' && !a.startsWith('sqs:GetQueue'),
        );
        if (others.length === 0) continue;
        expect(others.sort(), name).toEqual([...consumeActions].sort());
        expect([...referencedIds(statement.Resource)], name).toEqual([consumed]);
      }
      // Objects only under the key prefixes topology lists: GetObject per read prefix, GetObjectVersion per
      // readVersions prefix, PutObject and AbortMultipartUpload per write prefix, on no other bucket, prefix or
      // action.
      expect(bucketGrants(resources, name), name).toEqual(
        Object.entries(spec.buckets ?? {})
          .flatMap(([bucket, access]) => [
            ...(access.read ?? []).flatMap((prefix) => [
              `s3:GetObject ${bucket}/${prefix}*`,
              `s3:ListBucket ${bucket}/${prefix}*`,
            ]),
            ...(access.readVersions ?? []).map((prefix) => `s3:GetObjectVersion ${bucket}/${prefix}*`),
            ...(access.write ?? []).flatMap((prefix) => [
              `s3:AbortMultipartUpload ${bucket}/${prefix}*`,
              `s3:PutObject ${bucket}/${prefix}*`,
            ]),
          ])
          .sort(),
      );
      expect([...touched('secretsmanager:')].sort()).toEqual(
        (spec.secrets ?? [])
          .map((s) => logicalIdOf(resources, 'AWS::SecretsManager::Secret', `secret/${s}`))
          .sort(),
      );
      for (const id of touched('kms:')) expect(id).toBe(keyId);
    },
  );
});

describe('presigned URLs of the uploads function', () => {
  // A presigned URL acts with its signer's permissions: the uploads role must allow what its URLs do, no more.
  const statements = functionStatements(resources, 'uploads');

  it('can sign PUTs under incoming/ and GETs (of one version) under results/ of the drop bucket, and nothing else', () => {
    expect(bucketGrants(resources, 'uploads')).toEqual([
      's3:AbortMultipartUpload drop/incoming/*',
      's3:GetObject drop/results/*',
      's3:GetObjectVersion drop/results/*',
      's3:ListBucket drop/results/*',
      's3:PutObject drop/incoming/*',
    ]);
  });

  it('with the CMK use SSE-KMS needs: GenerateDataKey for an upload, Decrypt for a download', () => {
    const kms = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
    const actions = new Set(actionsOf(kms));
    expect(actions.has('kms:GenerateDataKey')).toBe(true);
    expect(actions.has('kms:Decrypt')).toBe(true);
    for (const s of kms) expect([...referencedIds(s.Resource)]).toEqual([keyId]);
  });

  it('and nothing more on the bucket: listing only where it reads, no deleting or configuring', () => {
    expect(
      actionsOf(statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')))).sort(),
    ).toEqual([
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:PutObject',
    ]);
  });
});

describe('drop bucket prefixes of the ingest functions', () => {
  const grants = (name: string, action: string) =>
    bucketGrants(resources, name)
      .filter((g) => g.startsWith(`${action} `))
      .map((g) => g.slice(action.length + 1));

  it('the planner reads incoming/ and results/, writes work/ and results/, never writes incoming/', () => {
    expect(grants('ingestPlanner', 's3:GetObject')).toEqual(['drop/incoming/*', 'drop/results/*']);
    expect(grants('ingestPlanner', 's3:PutObject')).toEqual(['drop/results/*', 'drop/work/*']);
    expect(grants('ingestPlanner', 's3:PutObject')).not.toContain('drop/incoming/*');
  });

  it('the worker reads incoming/ and work/, writes work/ and results/, never reads results/', () => {
    expect(grants('ingestWorker', 's3:GetObject')).toEqual(['drop/incoming/*', 'drop/work/*']);
    expect(grants('ingestWorker', 's3:PutObject')).toEqual(['drop/results/*', 'drop/work/*']);
    expect(grants('ingestWorker', 's3:GetObject')).not.toContain('drop/results/*');
  });

  it('the uploads sweeper reads incoming/ (HEAD of the planned version) and writes only results/ (of an upload it fails)', () => {
    expect(grants('uploadsSweeper', 's3:GetObject')).toEqual(['drop/incoming/*']);
    expect(grants('uploadsSweeper', 's3:PutObject')).toEqual(['drop/results/*']);
  });

  // Every bucket is versioned and these requests name a VersionId, which AWS authorizes as s3:GetObjectVersion:
  // with s3:GetObject alone each is denied (the planner's HEAD, so no dropped file would ever be planned).
  it.each([
    [
      'ingestPlanner',
      ['drop/incoming/*', 'drop/results/*'],
      'HEAD and GET of the dropped version; copy of earlier results',
    ],
    ['ingestWorker', ['drop/incoming/*'], 'ranged GETs of the planned version'],
    ['uploadsSweeper', ['drop/incoming/*'], 'HEAD of the planned version'],
    ['uploads', ['drop/results/*'], 'presigned GETs of the results version'],
  ] as const)('%s may read exact versions under %j (%s), and nowhere else', (name, prefixes, _why) => {
    expect(grants(name, 's3:GetObjectVersion')).toEqual([...prefixes]);
  });

  it('no other function reads object versions', () => {
    const readers = new Set(['ingestPlanner', 'ingestWorker', 'uploadsSweeper', 'uploads']);
    for (const name of Object.keys(topology.functions).filter((n) => !readers.has(n)))
      expect(grants(name, 's3:GetObjectVersion'), name).toEqual([]);
  });

  it('no function is granted a whole bucket', () => {
    for (const name of Object.keys(topology.functions)) {
      for (const grant of bucketGrants(resources, name)) expect(grant, name).not.toMatch(/ [^/]+\/\*$/);
    }
  });
});

describe('bucket bindings (a topology with a read-only and a write-only function)', () => {
  const extended = synthStack({ topology: extendedTopology() }).resources;
  const bucketId = logicalIdOf(extended, 'AWS::S3::Bucket', 'bucket/drop');

  it('read gets objects under its prefix only; write puts them there but cannot get them back', () => {
    expect(bucketGrants(extended, 'dropReader')).toEqual([
      's3:GetObject drop/incoming/*',
      's3:ListBucket drop/incoming/*',
    ]);
    expect(bucketGrants(extended, 'dropWriter')).toEqual([
      's3:AbortMultipartUpload drop/work/*',
      's3:PutObject drop/work/*',
    ]);
  });

  it('on that bucket’s objects, with only the KMS use the access needs', () => {
    for (const [name, kms] of [
      ['dropReader', ['kms:Decrypt']],
      // Multipart uploads and presigned PUTs with SSE-KMS need Decrypt as well as GenerateDataKey.
      ['dropWriter', ['kms:Decrypt', 'kms:GenerateDataKey']],
    ] as const) {
      const statements = functionStatements(extended, name);
      for (const s of statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')))) {
        expect([...referencedIds(s.Resource)]).toEqual([bucketId]);
      }
      const kmsStatements = statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('kms:')));
      expect(actionsOf(kmsStatements)).toEqual(kms);
      for (const s of kmsStatements) expect([...referencedIds(s.Resource)]).toEqual([keyIdOf(extended)]);
    }
  });
});
