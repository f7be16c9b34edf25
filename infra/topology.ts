/**
 * The one description of the pipeline's resources and how they are wired.
 *
 * Both the CDK stack (infra/stack.ts) and the local runtime (local/) read this object, so what runs on a
 * laptop and what is deployed cannot drift apart. It is plain data: no CDK or SDK imports here. A function's
 * routes come from the route declarations (shared/<capability>/endpoints.ts), where each route is declared once.
 */

import { BUCKET_ENV, QUEUE_ENV, SECRET_ENV, TABLE_ENV } from '#platform/env-names.ts';
import { keysOf } from '#platform/http/endpoint.ts';
import { ENDPOINTS_BY_FUNCTION } from '#platform/http/endpoints-by-function.ts';

import type {
  BucketSpec,
  FunctionSpec,
  QueueSpec,
  SecretSpec,
  SignInSpec,
  TableSpec,
} from './topology-types.ts';

export type * from './topology-types.ts';

const tables = {
  sites: {
    name: 'sites',
    envVar: TABLE_ENV.sites,
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
  },
  uploads: {
    name: 'uploads',
    envVar: TABLE_ENV.uploads,
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      // Uploads by status, oldest first: "what is stuck in processing", "list failed uploads".
      { name: 'by-status', partitionKey: 'status_pk', sortKey: 'updated_at' },
      // A site's uploads, newest first: the console's list of uploads.
      { name: 'by-site', partitionKey: 'site_pk', sortKey: 'created_at' },
    ],
  },
  doses: {
    name: 'doses',
    envVar: TABLE_ENV.doses,
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      // Earlier doses of a recipient at a site, for the minimum-interval rule: what the rule reads, nothing else,
      // so a copy is one write unit and the registry's answer written on a version does not touch it.
      {
        name: 'by-recipient',
        partitionKey: 'recip_key',
        sortKey: 'admin_date',
        include: ['vax_event_id', 'version', 'action', 'cvx', 'mvx', 'refused'],
      },
      // Versions stored on a California day (`<day>#<shard>`), for the nightly roll-up's administered doses.
      { name: 'by-stored-day', partitionKey: 'stored_day_part', sortKey: 'pk' },
    ],
  },
  // The CDC report: each change staged for the day it arrived (de-identified CVRS record), day status, receipts.
  cdc: {
    name: 'cdc',
    envVar: TABLE_ENV.cdc,
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      // A report day's changes, spread over a few partitions (`<day>#<shard>`) so a busy day is no hot key.
      { name: 'by-day', partitionKey: 'day_part', sortKey: 'pk' },
    ],
  },
  // Vaccine accountability: lot expirations and beyond-use dates (versioned), inventory receipts, transfers and
  // wastage (one item each, by the site's own record_id), and the nightly roll-up's per-site summaries.
  stock: {
    name: 'stock',
    envVar: TABLE_ENV.stock,
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      // Movements recorded on a California day (`<day>#<shard>`), for the nightly roll-up.
      { name: 'by-day', partitionKey: 'day_part', sortKey: 'pk' },
      // A site's movements of one NDC and lot since a time, for the on-hand estimate behind STK006.
      { name: 'by-stock', partitionKey: 'stock_key', sortKey: 'recorded_at' },
    ],
  },
  // One record per person across sites (issue 14): persons and their dose links, the blocking index, matches
  // queued for review, decisions (audit) and the access log (accounting of disclosures). shared/persons/store.ts.
  persons: {
    name: 'persons',
    envVar: TABLE_ENV.persons,
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      // People whose next dose has a due date (`due#<shard>`), by the day it is due, for reminder/recall.
      { name: 'by-due', partitionKey: 'due_part', sortKey: 'due_date' },
    ],
  },
  // Uptake, coverage and equity (issue 15): population denominators (versioned; shared/analytics/denominators-store.ts).
  analytics: {
    name: 'analytics',
    envVar: TABLE_ENV.analytics,
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
  },
} as const satisfies Record<string, TableSpec>;

const queues = {
  // S3 notifications of files dropped under incoming/.
  ingestFiles: {
    name: 'ingest-files',
    envVar: QUEUE_ENV.ingestFiles,
    visibilityTimeoutSeconds: 1800,
    maxReceiveCount: 5,
    retentionDays: 14,
  },
  // One message per chunk of rows of a planned file (and assembly tasks).
  ingestChunks: {
    name: 'ingest-chunks',
    envVar: QUEUE_ENV.ingestChunks,
    visibilityTimeoutSeconds: 1800,
    maxReceiveCount: 5,
    retentionDays: 14,
  },
  registry: {
    name: 'registry-changes',
    envVar: QUEUE_ENV.registry,
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 8,
    retentionDays: 14,
  },
  cdc: {
    name: 'cdc-changes',
    envVar: QUEUE_ENV.cdc,
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 8,
    retentionDays: 14,
  },
  // Every stored change again, for person matching: off the intake path, so intake latency does not grow.
  persons: {
    name: 'person-changes',
    envVar: QUEUE_ENV.persons,
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 8,
    retentionDays: 14,
  },
} as const satisfies Record<string, QueueSpec>;

const buckets = {
  drop: {
    name: 'drop',
    envVar: BUCKET_ENV.drop,
    notifications: [{ prefix: 'incoming/', events: ['s3:ObjectCreated:*'], queue: 'ingestFiles' }],
    lifecycle: [
      { prefix: 'incoming/', expireDays: 30 },
      { prefix: 'work/', expireDays: 30 },
      { prefix: 'results/', expireDays: 400 },
    ],
    // The console uploads a site's file straight to its presigned URL (never through the API: files reach 500 MB)
    // and reads the results file by its presigned URL to show the findings.
    cors: {
      origins: 'console',
      methods: ['PUT', 'GET'],
      allowedHeaders: ['content-type'],
      exposedHeaders: ['etag'],
      maxAgeSeconds: 600,
    },
  },
  // The nightly accountability reports (CSV and JSON per day): kept six years, like the CDC audit trail.
  reports: {
    name: 'reports',
    envVar: BUCKET_ENV.reports,
    lifecycle: [
      { prefix: 'accountability/', expireDays: 2190 },
      // Reminder/recall lists name people: kept only while useful.
      { prefix: 'follow-up/', expireDays: 90 },
    ],
  },
  // Every CDC file sent, with its receipt: kept six years (HIPAA documentation retention).
  audit: {
    name: 'audit',
    envVar: BUCKET_ENV.audit,
    lifecycle: [{ prefix: 'cdc/', expireDays: 2190 }],
  },
} as const satisfies Record<string, BucketSpec>;

const secrets = {
  adminKey: {
    envVar: SECRET_ENV.adminKey,
    description: 'Admin credential for enrollment and key management',
  },
  registryCredentials: {
    envVar: SECRET_ENV.registryCredentials,
    description: 'Per regional registry: SOAP endpoint, username, password and facility ID (JSON)',
  },
  cdcRecipientKey: {
    envVar: SECRET_ENV.cdcRecipientKey,
    description:
      'Key of the HMAC that turns patient and event IDs into the stable CDC recip_id and vax_event_id',
  },
  cdcClearinghouse: {
    envVar: SECRET_ENV.cdcClearinghouse,
    description:
      'CDC Data Clearinghouse: base URL, client id and secret, CDC-issued client certificate and key in PEM (JSON)',
  },
} as const satisfies Record<string, SecretSpec>;

export type TableName = keyof typeof tables;
export type QueueName = keyof typeof queues;
export type BucketName = keyof typeof buckets;
export type SecretName = keyof typeof secrets;

const functions = {
  authorizer: {
    entry: 'functions/sites/authorizer.ts',
    description: 'Lambda authorizer: resolves a bearer key to a site or the admin role',
    timeoutSeconds: 5,
    memoryMb: 256,
    tables: { sites: 'read' },
    secrets: ['adminKey'],
  },
  // Cognito's pre-token-generation trigger (signIn below): the dp_* claims of access tokens. No AWS access.
  tokenClaims: {
    entry: 'functions/platform/token-claims.ts',
    description:
      'Cognito pre-token-generation trigger: dp_role, dp_sites, dp_access from groups and attributes',
    // Cognito waits 5 s for a trigger; the work is a lookup in memory.
    timeoutSeconds: 5,
    memoryMb: 256,
    cognitoTrigger: 'preTokenGeneration',
  },
  sites: {
    entry: 'functions/sites/api.ts',
    description: 'Enrolls sites and issues, rotates and revokes their keys (admin)',
    timeoutSeconds: 10,
    memoryMb: 256,
    tables: { sites: 'write' },
    routes: keysOf(ENDPOINTS_BY_FUNCTION.sites, 'authorized'),
  },
  doses: {
    entry: 'functions/doses/api.ts',
    description: 'Validates, stores and publishes doses; updates, deletes and reads them',
    timeoutSeconds: 29,
    memoryMb: 1024,
    tables: { sites: 'read', doses: 'write', analytics: 'write' },
    sendsTo: ['registry', 'cdc', 'persons'],
    routes: keysOf(ENDPOINTS_BY_FUNCTION.doses, 'authorized'),
  },
  openapi: {
    entry: 'functions/platform/openapi.ts',
    description: 'Serves the OpenAPI document generated from the schemas',
    timeoutSeconds: 5,
    memoryMb: 256,
    publicRoutes: keysOf(ENDPOINTS_BY_FUNCTION.openapi, 'public'),
  },
  uploads: {
    entry: 'functions/files/api.ts',
    description: 'Issues presigned upload URLs and reports upload progress and results',
    timeoutSeconds: 10,
    memoryMb: 256,
    tables: { sites: 'read', uploads: 'write' },
    // Signs PUT URLs for sites' files and GET URLs for their results, nothing else. Result links name the
    // version the upload produced (presignGet with VersionId).
    buckets: { drop: { read: ['results/'], readVersions: ['results/'], write: ['incoming/'] } },
    routes: keysOf(ENDPOINTS_BY_FUNCTION.uploads, 'authorized'),
  },
  ingestPlanner: {
    entry: 'functions/files/planner.ts',
    description: 'Reads a dropped file once: format, header, content hash, duplicate IDs; plans its chunks',
    timeoutSeconds: 300,
    memoryMb: 1024,
    tables: { sites: 'read', uploads: 'write' },
    // HEAD and GET of the dropped file's version; a duplicate's results copied from the earlier upload's versions.
    buckets: {
      drop: {
        read: ['incoming/', 'results/'],
        readVersions: ['incoming/', 'results/'],
        write: ['work/', 'results/'],
      },
    },
    sendsTo: ['ingestChunks'],
    sqs: {
      queue: 'ingestFiles',
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      maximumConcurrency: 2,
    },
  },
  ingestWorker: {
    entry: 'functions/files/worker.ts',
    description:
      'Validates and stores one chunk of a dose or wastage file (publishing doses); assembles the results at the end',
    timeoutSeconds: 300,
    memoryMb: 1024,
    tables: { sites: 'read', uploads: 'write', doses: 'write', stock: 'write', analytics: 'write' },
    // Chunks are byte ranges of the planned version of the dropped file; its own parts under work/ are read as is.
    buckets: {
      drop: { read: ['incoming/', 'work/'], readVersions: ['incoming/'], write: ['work/', 'results/'] },
    },
    sendsTo: ['registry', 'cdc', 'persons'],
    sqs: {
      queue: 'ingestChunks',
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      maximumConcurrency: 4,
    },
  },
  uploadsSweeper: {
    entry: 'functions/files/sweeper.ts',
    description: 'Picks up uploads stuck in received or processing past their timeout',
    timeoutSeconds: 50,
    memoryMb: 256,
    tables: { uploads: 'write' },
    // HEADs the version an upload was planned from, to tell a vanished file from a stuck one; an upload it
    // fails still gets its results file and summary (shared/files/fail-upload.ts).
    buckets: { drop: { read: ['incoming/'], readVersions: ['incoming/'], write: ['results/'] } },
    sendsTo: ['ingestFiles', 'ingestChunks'],
    schedules: [
      { expression: 'rate(5 minutes)', timezone: 'America/Los_Angeles', input: { stuckAfterSeconds: 900 } },
    ],
  },
  soapIntake: {
    entry: 'functions/doses/soap.ts',
    description: 'CDC SOAP interface for EHRs: VXU in, HL7 ACK out, through the same intake as JSON doses',
    timeoutSeconds: 29,
    memoryMb: 1024,
    // Persons: the IIS query (QBP^Q11) reads the consolidated record and writes the access log.
    tables: { sites: 'read', doses: 'write', persons: 'write', analytics: 'write' },
    sendsTo: ['registry', 'cdc', 'persons'],
    // Authenticated inside the SOAP body (the WSDL's username/password), as EHRs already send it.
    publicRoutes: keysOf(ENDPOINTS_BY_FUNCTION.soapIntake, 'public'),
  },
  registryReporter: {
    entry: 'functions/registry/reporter.ts',
    description: 'Reports stored dose changes to their regional CAIR registry (HL7 VXU over CDC SOAP)',
    timeoutSeconds: 60,
    memoryMb: 512,
    tables: { sites: 'read', doses: 'write' },
    secrets: ['registryCredentials'],
    // Puts parked messages back on its own queue when a paused registry answers again.
    sendsTo: ['registry'],
    sqs: {
      queue: 'registry',
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      reportBatchItemFailures: true,
      maximumConcurrency: 2,
    },
  },
  outboxSweeper: {
    entry: 'functions/doses/outbox-sweeper.ts',
    description: 'Republishes stored dose changes whose fan-out was interrupted',
    // Under the one-minute period, so runs do not pile up (overlap would be harmless: publishing is idempotent).
    timeoutSeconds: 50,
    memoryMb: 512,
    tables: { doses: 'write' },
    sendsTo: ['registry', 'cdc', 'persons'],
    schedules: [
      { expression: 'rate(1 minute)', timezone: 'America/Los_Angeles', input: { olderThanSeconds: 900 } },
    ],
  },
  stock: {
    entry: 'functions/stock/api.ts',
    description:
      'Lot expirations (admin), beyond-use dates, inventory receipts and transfers, wastage reports',
    // Batches of up to 1,000 records, each stored with a conditional write.
    timeoutSeconds: 29,
    memoryMb: 512,
    tables: { sites: 'read', stock: 'write' },
    routes: keysOf(ENDPOINTS_BY_FUNCTION.stock, 'authorized'),
  },
  reports: {
    entry: 'functions/stock/reports.ts',
    description: 'The nightly accountability reports: a site sees its own rows, an admin sees all',
    timeoutSeconds: 10,
    memoryMb: 512,
    // Sites: whether a sending facility may read a client site's rows.
    tables: { sites: 'read', stock: 'read' },
    buckets: { reports: { read: ['accountability/'] } },
    routes: keysOf(ENDPOINTS_BY_FUNCTION.reports, 'authorized'),
  },
  nightlyRollup: {
    entry: 'functions/stock/rollup.ts',
    description:
      'Rolls up a day of receipts, doses and wastage per site, NDC and lot; expiring lots; admin errors',
    timeoutSeconds: 900,
    memoryMb: 2048,
    tables: { doses: 'read', sites: 'read', stock: 'write' },
    buckets: { reports: { read: ['accountability/'], write: ['accountability/'] } },
    schedules: [
      // Yesterday's roll-up just after midnight, and again before morning if that run failed.
      { expression: 'cron(30 0,3 * * ? *)', timezone: 'America/Los_Angeles', input: { date: 'yesterday' } },
      // Logs ROLLUP_LATE (the alarm) when yesterday's roll-up has not completed by 06:00.
      { expression: 'cron(0 6 * * ? *)', timezone: 'America/Los_Angeles', input: { check: 'yesterday' } },
    ],
  },
  cdcStager: {
    entry: 'functions/cdc/stager.ts',
    description: 'Stages each stored dose change, de-identified, for the CDC report of the day it arrived',
    timeoutSeconds: 60,
    memoryMb: 512,
    tables: { doses: 'read', cdc: 'write' },
    secrets: ['cdcRecipientKey'],
    sqs: {
      queue: 'cdc',
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      reportBatchItemFailures: true,
      maximumConcurrency: 4,
    },
  },
  cdcReport: {
    entry: 'functions/cdc/report.ts',
    description:
      'Builds the daily CVRS files for CDC, uploads them to the Clearinghouse, keeps them with receipts',
    timeoutSeconds: 900,
    memoryMb: 2048,
    tables: { cdc: 'write' },
    buckets: { audit: { read: ['cdc/'], write: ['cdc/'] } },
    secrets: ['cdcClearinghouse'],
    schedules: [
      // Yesterday's report, early and then hourly until it is in (later runs of an uploaded day send nothing);
      // files are due at CDC by noon.
      { expression: 'cron(30 3-10 * * ? *)', timezone: 'America/Los_Angeles', input: { day: 'yesterday' } },
      // Logs CDC_REPORT_LATE (the alarm) when yesterday's upload has not succeeded by 11:00.
      { expression: 'cron(0 11 * * ? *)', timezone: 'America/Los_Angeles', input: { check: 'yesterday' } },
    ],
  },
  personMatcher: {
    entry: 'functions/persons/matcher.ts',
    description: 'Links each stored dose to a person across sites (matching), or queues the match for review',
    timeoutSeconds: 60,
    memoryMb: 512,
    tables: { doses: 'read', persons: 'write' },
    sqs: {
      queue: 'persons',
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      reportBatchItemFailures: true,
      maximumConcurrency: 2,
    },
  },
  persons: {
    entry: 'functions/persons/api.ts',
    description:
      'The consolidated record: person search and record (access-logged), reviews, merges and splits (admin)',
    timeoutSeconds: 10,
    memoryMb: 512,
    tables: { sites: 'read', doses: 'read', persons: 'write' },
    buckets: { reports: { read: ['follow-up/'] } },
    routes: keysOf(ENDPOINTS_BY_FUNCTION.persons, 'authorized'),
  },
  followUp: {
    entry: 'functions/persons/follow-up.ts',
    description: 'Nightly reminder/recall lists: per site, people due or overdue for their next dose',
    timeoutSeconds: 900,
    memoryMb: 1024,
    tables: { persons: 'read' },
    buckets: { reports: { read: ['follow-up/'], write: ['follow-up/'] } },
    schedules: [
      { expression: 'cron(45 0,3 * * ? *)', timezone: 'America/Los_Angeles', input: { date: 'today' } },
    ],
  },
  analytics: {
    entry: 'functions/analytics/api.ts',
    description:
      'Population denominators (load: admin; versions) and the nightly uptake, coverage, supply and timeliness files',
    // A whole file of 44,544 rows is read, checked and written (90 chunk items) in one request.
    timeoutSeconds: 29,
    memoryMb: 1024,
    // Sites: whether a site key may read a client site's figures (its sending facility).
    tables: { analytics: 'write', sites: 'read' },
    buckets: { reports: { read: ['analytics/'] } },
    routes: keysOf(ENDPOINTS_BY_FUNCTION.analytics, 'authorized'),
  },
  analyticsNightly: {
    entry: 'functions/analytics/nightly.ts',
    description:
      "Nightly uptake, coverage, supply and timeliness: a day's doses onto the counters, files per site and statewide",
    timeoutSeconds: 900,
    memoryMb: 3008,
    // Doses of the day, where each is counted (persons), sites' counties, the roll-up's balances and lot
    // expirations, CDC's answers (de-identified), and its own state and denominators.
    tables: {
      doses: 'read',
      persons: 'read',
      sites: 'read',
      stock: 'read',
      cdc: 'read',
      analytics: 'write',
    },
    buckets: { reports: { read: ['analytics/'], write: ['analytics/'] } },
    schedules: [
      // After the roll-up (00:30, and its retry at 03:30): supply starts from its closing balances.
      { expression: 'cron(15 1,4 * * ? *)', timezone: 'America/Los_Angeles', input: { date: 'yesterday' } },
    ],
  },
  health: {
    entry: 'functions/health/api.ts',
    description:
      'Pipeline health for program staff and administrators: registries, queue depths, uploads, CDC days, nightly runs',
    timeoutSeconds: 10,
    memoryMb: 256,
    // Reads only: registry pauses and parked counts (doses), stuck/failed uploads, CDC day status, the
    // roll-up's and analytics' completed days.
    tables: { doses: 'read', uploads: 'read', cdc: 'read', stock: 'read', analytics: 'read' },
    watchesQueues: ['ingestFiles', 'ingestChunks', 'registry', 'cdc', 'persons'],
    routes: keysOf(ENDPOINTS_BY_FUNCTION.health, 'authorized'),
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

export const api = {
  /** Name of the function that authorizes every non-public route. */
  authorizer: 'authorizer' as FunctionName,
  identitySource: 'authorization',
  /** API Gateway caches an authorizer answer per key this long: a revoked key may live this long. */
  authorizerCacheTtlSeconds: 30,
  /** API Gateway's own payload limit; above it the request never reaches a function. */
  maxPayloadBytes: 10 * 1024 * 1024,
  /** Synchronous Lambda invocation payload limit. */
  maxLambdaPayloadBytes: 6 * 1024 * 1024,
  integrationTimeoutSeconds: 30,
  throttle: { rateLimit: 200, burstLimit: 400 },
};

/**
 * Sign-in in AWS (issue 16, docs/sign-in.md): the Cognito user pool whose access tokens the authorizer accepts
 * besides API keys. Locally `npm start` runs its own OpenID provider instead, and none of this is read.
 */
export const signIn = {
  // Replace with the pipeline's own before deploying: Cognito domain prefixes are unique per region.
  domainPrefix: 'ca-covid-dose-pipeline',
  // The web console's address (served by CloudFront, docs/console.md): its /callback, and / after sign-out.
  callbackUrls: ['https://console.dose-pipeline.example.org/callback'],
  logoutUrls: ['https://console.dose-pipeline.example.org/'],
  accessTokenMinutes: 15,
  refreshTokenHours: 12,
  resourceServer: { identifier: 'dose-pipeline-api', scope: 'access' },
  // A site's system calling with client credentials instead of a key, e.g.
  //   { name: 'site-CAIR12345', sites: ['CAIR12345'], access: 'write' }
  // (its client id and secret: docs/sign-in.md, In AWS).
  machineClients: [],
} as const satisfies SignInSpec;

export const topology = { tables, queues, buckets, secrets, functions, api, signIn } as const;
export type Topology = typeof topology;

/** The function spec by name, typed loosely for generic wiring code. */
export function functionSpecs(): [FunctionName, FunctionSpec][] {
  return Object.entries(functions) as [FunctionName, FunctionSpec][];
}
