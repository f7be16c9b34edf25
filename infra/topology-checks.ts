/**
 * Reading and checking `infra/topology.ts` for the CDK stack.
 *
 * The stack only ever iterates the topology; everything it must not get wrong (a queue whose visibility timeout
 * is shorter than six times its consumer's timeout, a route two functions claim, a table nobody defined) is
 * checked here first, so `cdk synth` fails with one message that lists every problem instead of deploying a
 * stack that misbehaves at run time.
 */
import { AUTH_ENV, TOKEN_CLAIMS_ENV } from '#platform/env-names.ts';
import type {
  BucketAccess,
  BucketSpec,
  FunctionSpec,
  QueueSpec,
  SecretSpec,
  SignInSpec,
  TableSpec,
  topology,
} from './topology.ts';

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The shape of `topology`, loosely keyed, so the stack (and tests) can iterate any topology of that form. */
export interface PipelineTopology {
  readonly tables: Readonly<Record<string, DeepReadonly<TableSpec>>>;
  readonly queues: Readonly<Record<string, DeepReadonly<QueueSpec>>>;
  readonly buckets: Readonly<Record<string, DeepReadonly<BucketSpec>>>;
  readonly secrets: Readonly<Record<string, DeepReadonly<SecretSpec>>>;
  readonly functions: Readonly<Record<string, DeepReadonly<FunctionSpec>>>;
  readonly api: DeepReadonly<typeof topology.api>;
  /** The Cognito user pool (AWS only); without it the stack has no sign-in and API keys only. */
  readonly signIn?: DeepReadonly<SignInSpec>;
}

export type PipelineFunctionSpec = DeepReadonly<FunctionSpec>;

/**
 * The sign-in variables the stack sets on a function (infra/stack.ts, constructs/sign-in.ts): the authorizer
 * gets the user pool's issuer and the app clients' ids, the pre-token-generation trigger the machine clients.
 */
export function signInEnv(t: PipelineTopology, name: string): string[] {
  if (!t.signIn) return [];
  const env: string[] = [];
  if (name === t.api.authorizer) env.push(AUTH_ENV.issuer, AUTH_ENV.audience);
  if (t.functions[name]?.cognitoTrigger === 'preTokenGeneration') env.push(TOKEN_CLAIMS_ENV.machineClients);
  return env;
}

/** Multiple of the consumer's timeout that a queue's visibility timeout must reach (AWS guidance). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
export type RouteMethod = (typeof HTTP_METHODS)[number];

export interface ParsedRoute {
  /** `"POST /v1/doses"`, the API Gateway route key. */
  routeKey: string;
  method: RouteMethod;
  path: string;
}

/** Splits a topology route (`"POST /v1/doses"`) into method and path; undefined if it is not one. */
export function parseRoute(route: string): ParsedRoute | undefined {
  const match = /^([A-Z]+) (\/[A-Za-z0-9._~{}\-/+]*)$/.exec(route);
  if (!match) return undefined;
  const method = match[1] as RouteMethod;
  const path = match[2]!;
  if (!HTTP_METHODS.includes(method)) return undefined;
  if (path.length > 1 && path.endsWith('/')) return undefined;
  return { routeKey: route, method, path };
}

/** Every route of the topology with the function serving it and whether it goes through the authorizer. */
export function allRoutes(t: PipelineTopology): (ParsedRoute & { fn: string; authorized: boolean })[] {
  const out: (ParsedRoute & { fn: string; authorized: boolean })[] = [];
  for (const [fn, spec] of Object.entries(t.functions)) {
    for (const [routes, authorized] of [
      [spec.routes ?? [], true],
      [spec.publicRoutes ?? [], false],
    ] as const) {
      for (const route of routes) {
        const parsed = parseRoute(route);
        if (parsed) out.push({ ...parsed, fn, authorized });
      }
    }
  }
  return out;
}

/** `"outboxSweeper"` → `"OutboxSweeper"`, `"registry-changes"` → `"RegistryChanges"`: construct ids from names. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** The HTTP API identity source for a header name: `authorization` → `$request.header.Authorization`. */
export function headerIdentitySource(header: string): string {
  const canonical = header
    .split('-')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
  return `$request.header.${canonical}`;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((\S+ ){5}\S+\)$/;
const AT = /^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/;

function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const plural = rate[2]!.endsWith('s');
    if (value < 1) return 'a rate must be at least 1';
    if ((value === 1) === plural) return `use "${value === 1 ? 'minute/hour/day' : 'minutes/hours/days'}"`;
    return undefined;
  }
  if (CRON.test(expression) || AT.test(expression)) return undefined;
  return 'expected rate(n unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)';
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Whether two prefix (or, reversed, suffix) filters can both match one key: one extends the other. */
const overlaps = (a = '', b = '') => a.startsWith(b) || b.startsWith(a);
const overlapsAtEnd = (a = '', b = '') => a.endsWith(b) || b.endsWith(a);

/** Whether two S3 event types (`s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, …) share an event. */
const covers = (a: string, b: string) => a === b || (a.endsWith(':*') && b.startsWith(a.slice(0, -1)));
const eventTypesOverlap = (a: string, b: string) => covers(a, b) || covers(b, a);

/** An S3 event type a notification configuration accepts, e.g. `s3:ObjectCreated:*`, `s3:ObjectCreated:Put`. */
const S3_CREATED_EVENT = /^s3:ObjectCreated:(\*|Put|Post|Copy|CompleteMultipartUpload)$/;

function bucketProblems(t: PipelineTopology, name: string, spec: DeepReadonly<BucketSpec>): string[] {
  const problems: string[] = [];
  const where = `bucket ${name}`;
  const notifications = spec.notifications ?? [];
  notifications.forEach((n, i) => {
    if (!(n.queue in t.queues)) {
      problems.push(
        `${where}: a notification sends to queue ${n.queue}, which topology.queues does not define`,
      );
    }
    // An empty prefix would notify for every object, including those the pipeline itself writes.
    if (!n.prefix)
      problems.push(`${where}: a notification needs a prefix (objects written elsewhere must not notify)`);
    if (n.events.length === 0) problems.push(`${where}: a notification lists no event type`);
    for (const event of n.events) {
      if (!S3_CREATED_EVENT.test(event))
        problems.push(`${where}: "${event}" is not an s3:ObjectCreated event type`);
    }
    // S3 rejects configurations whose event types and filters overlap (PutBucketNotificationConfiguration:
    // "Configurations overlap"), even to different destinations.
    for (const other of notifications.slice(i + 1)) {
      const sameEvents = n.events.some((a) => other.events.some((b) => eventTypesOverlap(a, b)));
      if (sameEvents && overlaps(n.prefix, other.prefix) && overlapsAtEnd(n.suffix, other.suffix)) {
        problems.push(
          `${where}: the notifications for "${n.prefix}" and "${other.prefix}" overlap (S3 rejects overlapping filters)`,
        );
      }
    }
  });
  const prefixes = new Set<string>();
  for (const rule of spec.lifecycle ?? []) {
    if (!Number.isInteger(rule.expireDays) || rule.expireDays < 1) {
      problems.push(
        `${where}: lifecycle expireDays ${rule.expireDays} for "${rule.prefix}" is not a whole number ≥ 1`,
      );
    }
    if (prefixes.has(rule.prefix)) problems.push(`${where}: two lifecycle rules for "${rule.prefix}"`);
    prefixes.add(rule.prefix);
  }
  return problems;
}

/**
 * A function's key prefixes in a bucket: each is granted as `<bucket>/<prefix>*`, so an empty prefix would grant
 * the whole bucket, one without a trailing "/" would also grant its siblings (`work` → `workshop/…`), and "*" or
 * "?" would be IAM wildcards.
 */
function bucketAccessProblems(where: string, access: DeepReadonly<BucketAccess>): string[] {
  const problems: string[] = [];
  const read = access.read ?? [];
  const write = access.write ?? [];
  if (read.length + write.length === 0) problems.push(`${where}: lists no read or write prefix`);
  for (const [mode, prefixes] of [
    ['read', read],
    ['write', write],
  ] as const) {
    prefixes.forEach((prefix, i) => {
      if (!prefix) problems.push(`${where}: an empty ${mode} prefix would grant the whole bucket`);
      else if (!prefix.endsWith('/'))
        problems.push(`${where}: ${mode} prefix "${prefix}" does not end with "/"`);
      if (/[*?]/.test(prefix)) problems.push(`${where}: ${mode} prefix "${prefix}" contains an IAM wildcard`);
      if (prefixes.indexOf(prefix) !== i)
        problems.push(`${where}: ${mode} prefix "${prefix}" is listed twice`);
    });
  }
  // A version read is still a read (HEAD of a missing key needs the ListBucket a read prefix brings).
  for (const prefix of access.readVersions ?? []) {
    if (!read.includes(prefix))
      problems.push(`${where}: readVersions prefix "${prefix}" is not also a read prefix`);
  }
  return problems;
}

/** Thrown when the topology cannot be deployed as written; lists every problem found. */
export class TopologyError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`infra/topology.ts cannot be deployed as written:\n  - ${problems.join('\n  - ')}`);
    this.name = 'TopologyError';
    this.problems = problems;
  }
}

/** Every reason the topology cannot be deployed as written (empty when it can). */
export function topologyProblems(t: PipelineTopology): string[] {
  const problems: string[] = [];
  const fns = Object.entries(t.functions);

  const envVars = new Map<string, string>();
  const claimEnvVar = (envVar: string, owner: string) => {
    const previous = envVars.get(envVar);
    if (previous) problems.push(`${owner} and ${previous} both use the environment variable ${envVar}`);
    else envVars.set(envVar, owner);
  };
  for (const [name, spec] of Object.entries(t.tables)) {
    claimEnvVar(spec.envVar, `table ${name}`);
    const indexNames = spec.indexes.map((index) => index.name);
    if (new Set(indexNames).size !== indexNames.length) problems.push(`table ${name} repeats an index name`);
    if (spec.indexes.length > 20) problems.push(`table ${name} has more than 20 global secondary indexes`);
  }
  for (const [name, spec] of Object.entries(t.queues)) {
    claimEnvVar(spec.envVar, `queue ${name}`);
    if (spec.maxReceiveCount < 1 || spec.maxReceiveCount > 1000) {
      problems.push(`queue ${name}: maxReceiveCount ${spec.maxReceiveCount} is outside 1–1000`);
    }
    if (spec.retentionDays < 1 || spec.retentionDays > 14) {
      problems.push(`queue ${name}: retentionDays ${spec.retentionDays} is outside 1–14`);
    }
    if (spec.visibilityTimeoutSeconds < 0 || spec.visibilityTimeoutSeconds > 43_200) {
      problems.push(
        `queue ${name}: visibilityTimeoutSeconds ${spec.visibilityTimeoutSeconds} is outside 0–43200`,
      );
    }
  }
  for (const [name, spec] of Object.entries(t.buckets)) {
    claimEnvVar(spec.envVar, `bucket ${name}`);
    problems.push(...bucketProblems(t, name, spec));
  }
  for (const [name, spec] of Object.entries(t.secrets))
    claimEnvVar(`${spec.envVar}_SECRET_ARN`, `secret ${name}`);

  const routeOwners = new Map<string, string>();
  const consumers = new Map<string, string>();
  for (const [name, spec] of fns) {
    const where = `function ${name}`;
    if (!/\.(ts|mts|js|mjs)$/.test(spec.entry))
      problems.push(`${where}: entry ${spec.entry} is not a .ts/.js module`);
    if (spec.timeoutSeconds < 1 || spec.timeoutSeconds > 900) {
      problems.push(`${where}: timeoutSeconds ${spec.timeoutSeconds} is outside 1–900`);
    }
    if (spec.memoryMb < 128 || spec.memoryMb > 10_240) {
      problems.push(`${where}: memoryMb ${spec.memoryMb} is outside 128–10240`);
    }
    for (const table of Object.keys(spec.tables ?? {})) {
      if (!(table in t.tables))
        problems.push(`${where} uses table ${table}, which topology.tables does not define`);
    }
    for (const queue of spec.sendsTo ?? []) {
      if (!(queue in t.queues))
        problems.push(`${where} sends to queue ${queue}, which topology.queues does not define`);
    }
    for (const [bucket, access] of Object.entries(spec.buckets ?? {})) {
      if (!(bucket in t.buckets))
        problems.push(`${where} uses bucket ${bucket}, which topology.buckets does not define`);
      problems.push(...bucketAccessProblems(`${where}, bucket ${bucket}`, access ?? {}));
    }
    for (const secret of spec.secrets ?? []) {
      if (!(secret in t.secrets))
        problems.push(`${where} reads secret ${secret}, which topology.secrets does not define`);
    }

    const served = [...(spec.routes ?? []), ...(spec.publicRoutes ?? [])];
    for (const route of served) {
      const parsed = parseRoute(route);
      if (!parsed) {
        problems.push(`${where}: route "${route}" is not "METHOD /path"`);
        continue;
      }
      const owner = routeOwners.get(parsed.routeKey);
      if (owner) problems.push(`route "${route}" is served by both ${owner} and ${name}`);
      else routeOwners.set(parsed.routeKey, name);
    }
    if (served.length > 0 && spec.timeoutSeconds > t.api.integrationTimeoutSeconds) {
      problems.push(
        `${where} serves routes but its timeout (${spec.timeoutSeconds} s) exceeds the API integration timeout (${t.api.integrationTimeoutSeconds} s)`,
      );
    }

    const sqs = spec.sqs;
    if (sqs) {
      const queue = t.queues[sqs.queue];
      if (!queue) {
        problems.push(`${where} is triggered by queue ${sqs.queue}, which topology.queues does not define`);
      } else {
        const needed = VISIBILITY_TIMEOUT_FACTOR * spec.timeoutSeconds;
        if (queue.visibilityTimeoutSeconds < needed) {
          problems.push(
            `queue ${sqs.queue}: visibilityTimeoutSeconds ${queue.visibilityTimeoutSeconds} is less than ` +
              `${VISIBILITY_TIMEOUT_FACTOR} × the ${spec.timeoutSeconds} s timeout of its consumer ${name} (needs ≥ ${needed})`,
          );
        }
        const other = consumers.get(sqs.queue);
        if (other) problems.push(`queue ${sqs.queue} is consumed by both ${other} and ${name}`);
        else consumers.set(sqs.queue, name);
      }
      if (sqs.batchSize < 1 || sqs.batchSize > 10_000)
        problems.push(`${where}: batchSize ${sqs.batchSize} is outside 1–10000`);
      if (sqs.maxBatchingWindowSeconds < 0 || sqs.maxBatchingWindowSeconds > 300) {
        problems.push(`${where}: maxBatchingWindowSeconds ${sqs.maxBatchingWindowSeconds} is outside 0–300`);
      }
      if (sqs.batchSize > 10 && sqs.maxBatchingWindowSeconds < 1) {
        problems.push(`${where}: a batchSize above 10 needs maxBatchingWindowSeconds ≥ 1`);
      }
      if (
        sqs.maximumConcurrency !== undefined &&
        (sqs.maximumConcurrency < 2 || sqs.maximumConcurrency > 1000)
      ) {
        problems.push(`${where}: maximumConcurrency ${sqs.maximumConcurrency} is outside 2–1000`);
      }
    }

    for (const schedule of spec.schedules ?? []) {
      const problem = scheduleExpressionProblem(schedule.expression);
      if (problem) problems.push(`${where}: schedule "${schedule.expression}": ${problem}`);
      if (!isTimeZone(schedule.timezone))
        problems.push(`${where}: "${schedule.timezone}" is not an IANA time zone`);
      const input = JSON.stringify(schedule.input);
      if (input.length > 8192) problems.push(`${where}: a schedule input is longer than 8192 characters`);
    }
  }

  problems.push(...signInProblems(t));

  const authorizer = t.functions[t.api.authorizer];
  if (!authorizer) {
    problems.push(`api.authorizer names ${t.api.authorizer}, which topology.functions does not define`);
  } else if ((authorizer.routes?.length ?? 0) + (authorizer.publicRoutes?.length ?? 0) > 0) {
    problems.push(`the authorizer function ${t.api.authorizer} must not serve routes itself`);
  }
  if (t.api.authorizerCacheTtlSeconds < 0 || t.api.authorizerCacheTtlSeconds > 3600) {
    problems.push(`api.authorizerCacheTtlSeconds ${t.api.authorizerCacheTtlSeconds} is outside 0–3600`);
  }
  if (t.api.integrationTimeoutSeconds < 1 || t.api.integrationTimeoutSeconds > 30) {
    problems.push(`api.integrationTimeoutSeconds ${t.api.integrationTimeoutSeconds} is outside 1–30`);
  }
  if (t.api.throttle.rateLimit <= 0 || t.api.throttle.burstLimit <= 0) {
    problems.push('api.throttle needs a positive rateLimit and burstLimit');
  }
  if (!/^[A-Za-z0-9-]+$/.test(t.api.identitySource)) {
    problems.push(`api.identitySource "${t.api.identitySource}" is not a header name`);
  }
  return problems;
}

/** A CAIR Org Code as enrollment takes it (shared/sites/site.ts). */
const ORG_CODE = /^[A-Za-z0-9-]{1,20}$/;

/** The user pool: its trigger function, lifetimes Cognito accepts, machine clients that can be registered. */
function signInProblems(t: PipelineTopology): string[] {
  const problems: string[] = [];
  const triggers = Object.entries(t.functions).filter(([, spec]) => spec.cognitoTrigger);
  for (const [name, spec] of triggers) {
    if (!t.signIn) problems.push(`function ${name} is a Cognito trigger, but the topology has no signIn`);
    const invoked =
      (spec.routes?.length ?? 0) + (spec.publicRoutes?.length ?? 0) + (spec.schedules?.length ?? 0);
    if (invoked > 0 || spec.sqs || name === t.api.authorizer)
      problems.push(
        `function ${name}: a Cognito trigger is invoked by Cognito only (no route, queue or schedule)`,
      );
  }
  const preToken = triggers.filter(([, spec]) => spec.cognitoTrigger === 'preTokenGeneration');
  if (preToken.length > 1)
    problems.push(
      `functions ${preToken.map(([n]) => n).join(' and ')} are both the pre-token-generation trigger`,
    );
  const s = t.signIn;
  if (!s) return problems;
  if (preToken.length === 0) problems.push('signIn needs a function with cognitoTrigger: preTokenGeneration');
  if (
    !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(s.domainPrefix) ||
    /aws|amazon|cognito/.test(s.domainPrefix)
  )
    problems.push(`signIn.domainPrefix "${s.domainPrefix}" is not a Cognito domain prefix`);
  for (const url of [...s.callbackUrls, ...s.logoutUrls]) {
    if (!/^https:\/\/[^\s#]+$/.test(url) && !/^http:\/\/localhost(:\d+)?(\/[^\s#]*)?$/.test(url))
      problems.push(`signIn: "${url}" is not an https URL (Cognito takes http only for localhost)`);
  }
  if (s.callbackUrls.length === 0) problems.push('signIn lists no callback URL');
  if (!Number.isInteger(s.accessTokenMinutes) || s.accessTokenMinutes < 5 || s.accessTokenMinutes > 1440)
    problems.push(`signIn.accessTokenMinutes ${s.accessTokenMinutes} is outside 5–1440`);
  if (!Number.isInteger(s.refreshTokenHours) || s.refreshTokenHours < 1 || s.refreshTokenHours > 87_600)
    problems.push(`signIn.refreshTokenHours ${s.refreshTokenHours} is outside 1–87600`);
  const names = new Set<string>();
  for (const client of s.machineClients) {
    const where = `signIn machine client ${client.name}`;
    if (!/^[\w\s+=,.@-]{1,128}$/.test(client.name))
      problems.push(`${where}: the name is not a Cognito client name`);
    if (names.has(client.name)) problems.push(`${where} is listed twice`);
    names.add(client.name);
    if (client.sites.length === 0) problems.push(`${where} acts for no site`);
    for (const site of client.sites)
      if (!ORG_CODE.test(site)) problems.push(`${where}: "${site}" is not a CAIR Org Code`);
  }
  return problems;
}

/** Throws a TopologyError listing every problem, if there is any. */
export function assertDeployable(t: PipelineTopology): void {
  const problems = topologyProblems(t);
  if (problems.length > 0) throw new TopologyError(problems);
}
