import { describe, expect, it } from 'vitest';
import { topology } from '../../infra/topology.ts';
import {
  headerIdentitySource,
  type PipelineTopology,
  parseRoute,
  pascalCase,
  TopologyError,
  topologyProblems,
} from '../../infra/topology-checks.ts';
import { logicalIdOf, ofType, refOf, synthStack, withRegistryConsumer } from './helpers.ts';

const withFunctions = (functions: PipelineTopology['functions']): PipelineTopology => ({
  ...topology,
  functions: { ...topology.functions, ...functions },
});

describe('topology checks', () => {
  it('the real topology is deployable', () => {
    expect(topologyProblems(topology)).toEqual([]);
  });

  it('rejects a queue whose visibility timeout is under 6× its consumer’s timeout', () => {
    // 6 × 61 s = 366 s > the registry queue's 360 s.
    expect(topologyProblems(withRegistryConsumer(61))).toEqual([
      'queue registry: visibilityTimeoutSeconds 360 is less than 6 × the 61 s timeout of its consumer registryPublisher (needs ≥ 366)',
    ]);
    expect(topologyProblems(withRegistryConsumer(60))).toEqual([]);
  });

  it('sign-in: a Cognito domain prefix, https URLs, lifetimes Cognito takes, machine clients for Org Codes', () => {
    const signIn = topology.signIn;
    expect(
      topologyProblems({
        ...topology,
        signIn: {
          ...signIn,
          domainPrefix: 'my-cognito-pool',
          callbackUrls: ['http://console.example.org/callback', 'http://localhost:3000/callback'],
          accessTokenMinutes: 2,
          refreshTokenHours: 0,
          machineClients: [
            { name: 'site-A', sites: ['CAIR01'], access: 'write' },
            { name: 'site-A', sites: [], access: 'read' },
            { name: 'site-B', sites: ['CAIR 02'], access: 'read' },
          ],
        },
      }),
    ).toEqual([
      'signIn.domainPrefix "my-cognito-pool" is not a Cognito domain prefix',
      'signIn: "http://console.example.org/callback" is not an https URL (Cognito takes http only for localhost)',
      'signIn.accessTokenMinutes 2 is outside 5–1440',
      'signIn.refreshTokenHours 0 is outside 1–87600',
      'signIn machine client site-A is listed twice',
      'signIn machine client site-A acts for no site',
      'signIn machine client site-B: "CAIR 02" is not a CAIR Org Code',
    ]);
  });

  it('sign-in: one pre-token-generation trigger, invoked by Cognito only', () => {
    const { signIn: _none, ...withoutSignIn } = topology;
    expect(topologyProblems({ ...withoutSignIn })).toEqual([
      'function tokenClaims is a Cognito trigger, but the topology has no signIn',
    ]);
    const { tokenClaims, ...others } = topology.functions;
    expect(
      topologyProblems({
        ...topology,
        functions: {
          ...others,
          claimsA: { ...tokenClaims, routes: ['GET /v1/claims'] },
          claimsB: tokenClaims,
        },
      }),
    ).toEqual([
      'function claimsA: a Cognito trigger is invoked by Cognito only (no route, queue or schedule)',
      'functions claimsA and claimsB are both the pre-token-generation trigger',
    ]);
    expect(topologyProblems({ ...topology, functions: others })).toEqual([
      'signIn needs a function with cognitoTrigger: preTokenGeneration',
    ]);
  });

  it('fails synthesis with that message', () => {
    expect(() => synthStack({ topology: withRegistryConsumer(61) })).toThrow(TopologyError);
    expect(() => synthStack({ topology: withRegistryConsumer(61) })).toThrow(
      /infra\/topology\.ts cannot be deployed as written:\n {2}- queue registry: visibilityTimeoutSeconds 360 is less than 6 × the 61 s timeout/,
    );
  });

  it('reports undefined references, clashing or malformed routes, bad schedules and limits', () => {
    const problems = topologyProblems(
      withFunctions({
        broken: {
          entry: 'functions/api/broken.ts',
          description: 'x',
          timeoutSeconds: 31,
          memoryMb: 100,
          tables: { nope: 'read' } as never,
          sendsTo: ['nowhere'] as never,
          routes: ['POST /v1/doses', 'FETCH /v1/x', 'GET v1/y'],
          schedules: [
            { expression: 'rate(1 minutes)', timezone: 'America/Los_Angeles', input: {} },
            { expression: 'cron(0 2 * * ?)', timezone: 'Pacific/Nowhere', input: {} },
          ],
          sqs: {
            queue: 'registry',
            batchSize: 50,
            maxBatchingWindowSeconds: 0,
            reportBatchItemFailures: true,
            maximumConcurrency: 1,
          },
        },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'function broken: memoryMb 100 is outside 128–10240',
        'function broken uses table nope, which topology.tables does not define',
        'function broken sends to queue nowhere, which topology.queues does not define',
        'route "POST /v1/doses" is served by both doses and broken',
        'function broken: route "FETCH /v1/x" is not "METHOD /path"',
        'function broken: route "GET v1/y" is not "METHOD /path"',
        'function broken serves routes but its timeout (31 s) exceeds the API integration timeout (30 s)',
        'function broken: schedule "rate(1 minutes)": use "minute/hour/day"',
        'function broken: schedule "cron(0 2 * * ?)": expected rate(n unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)',
        'function broken: "Pacific/Nowhere" is not an IANA time zone',
        'function broken: a batchSize above 10 needs maxBatchingWindowSeconds ≥ 1',
        'function broken: maximumConcurrency 1 is outside 2–1000',
      ]),
    );
  });

  it('reports bucket notifications and lifecycle rules S3 would reject or that would re-trigger the pipeline', () => {
    const drop = topology.buckets.drop;
    const withDrop = (bucket: Record<string, unknown>): PipelineTopology => ({
      ...topology,
      buckets: { ...topology.buckets, drop: { ...drop, ...bucket } as PipelineTopology['buckets'][string] },
    });
    expect(
      topologyProblems(
        withDrop({
          notifications: [
            { prefix: 'incoming/', events: ['s3:ObjectCreated:*'], queue: 'ingestFiles' },
            { prefix: 'incoming/SITE1/', events: ['s3:ObjectCreated:Put'], queue: 'ingestChunks' },
            { prefix: '', events: ['s3:ObjectRemoved:*'], queue: 'nowhere' },
          ],
          lifecycle: [
            { prefix: 'work/', expireDays: 0 },
            { prefix: 'work/', expireDays: 2 },
          ],
        }),
      ),
    ).toEqual([
      'bucket drop: the notifications for "incoming/" and "incoming/SITE1/" overlap (S3 rejects overlapping filters)',
      'bucket drop: a notification sends to queue nowhere, which topology.queues does not define',
      'bucket drop: a notification needs a prefix (objects written elsewhere must not notify)',
      'bucket drop: "s3:ObjectRemoved:*" is not an s3:ObjectCreated event type',
      'bucket drop: lifecycle expireDays 0 for "work/" is not a whole number ≥ 1',
      'bucket drop: two lifecycle rules for "work/"',
    ]);
    // Distinct prefixes, or distinct suffixes, do not overlap.
    expect(
      topologyProblems(
        withDrop({
          notifications: [
            { prefix: 'incoming/', suffix: '.csv', events: ['s3:ObjectCreated:*'], queue: 'ingestFiles' },
            { prefix: 'incoming/', suffix: '.json', events: ['s3:ObjectCreated:*'], queue: 'ingestFiles' },
            { prefix: 'other/', events: ['s3:ObjectCreated:Put'], queue: 'ingestFiles' },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('reports bucket bindings whose prefixes would grant more than a prefix, or no bucket the topology defines', () => {
    const binding = (
      buckets: Record<string, { read?: string[]; readVersions?: string[]; write?: string[] }>,
    ) =>
      withFunctions({
        reader: {
          entry: 'functions/test-only/reader.ts',
          description: 'x',
          timeoutSeconds: 10,
          memoryMb: 256,
          buckets: buckets as never,
        },
      });
    expect(
      topologyProblems(
        binding({
          drop: { read: ['', 'results', 'incoming/', 'incoming/'], write: ['work/*/', 'work'] },
          archive: { read: ['old/'] },
        }),
      ),
    ).toEqual([
      'function reader, bucket drop: an empty read prefix would grant the whole bucket',
      'function reader, bucket drop: read prefix "results" does not end with "/"',
      'function reader, bucket drop: read prefix "incoming/" is listed twice',
      'function reader, bucket drop: write prefix "work/*/" contains an IAM wildcard',
      'function reader, bucket drop: write prefix "work" does not end with "/"',
      'function reader uses bucket archive, which topology.buckets does not define',
    ]);
    expect(topologyProblems(binding({ drop: {} }))).toEqual([
      'function reader, bucket drop: lists no read or write prefix',
    ]);
    expect(
      topologyProblems(binding({ drop: { read: ['incoming/'], write: ['work/', 'results/'] } })),
    ).toEqual([]);
    expect(
      topologyProblems(binding({ drop: { read: ['incoming/'], readVersions: ['incoming/', 'results/'] } })),
    ).toEqual(['function reader, bucket drop: readVersions prefix "results/" is not also a read prefix']);
  });

  it('reports an authorizer that is missing or serves routes', () => {
    expect(topologyProblems({ ...topology, api: { ...topology.api, authorizer: 'ghost' as never } })).toEqual(
      ['api.authorizer names ghost, which topology.functions does not define'],
    );
    expect(topologyProblems({ ...topology, api: { ...topology.api, authorizer: 'doses' } })).toEqual([
      'the authorizer function doses must not serve routes itself',
    ]);
  });
});

describe('an SQS trigger from the topology', () => {
  const { resources } = synthStack({ topology: withRegistryConsumer(60) });
  const fnId = logicalIdOf(resources, 'AWS::Lambda::Function', 'function/registryPublisher');
  const [, mapping] = ofType(resources, 'AWS::Lambda::EventSourceMapping').find(
    ([, m]) => refOf(m.Properties!.FunctionName) === fnId,
  )!;

  it('becomes an event source mapping with batch size, window, partial batch responses, max concurrency', () => {
    expect(mapping.Properties).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('on a queue whose visibility timeout is ≥ 6× the consumer’s timeout', () => {
    const fn = resources[refOf(mapping.Properties!.FunctionName)!]!.Properties!;
    const queue = resources[refOf(mapping.Properties!.EventSourceArn)!]!.Properties!;
    expect(fn.Timeout).toBe(60);
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * 60);
  });
});

describe('naming helpers', () => {
  it('parses routes', () => {
    expect(parseRoute('GET /v1/doses/{vax_event_id}')).toEqual({
      routeKey: 'GET /v1/doses/{vax_event_id}',
      method: 'GET',
      path: '/v1/doses/{vax_event_id}',
    });
    expect(parseRoute('GET /v1/openapi.json')?.path).toBe('/v1/openapi.json');
    expect(parseRoute('GET /v1/doses/')).toBeUndefined();
    expect(parseRoute('get /v1')).toBeUndefined();
  });

  it('derives construct ids and the identity source', () => {
    expect(pascalCase('outboxSweeper')).toBe('OutboxSweeper');
    expect(pascalCase('registry-changes')).toBe('RegistryChanges');
    expect(headerIdentitySource('authorization')).toBe('$request.header.Authorization');
    expect(headerIdentitySource('x-api-key')).toBe('$request.header.X-Api-Key');
  });
});
