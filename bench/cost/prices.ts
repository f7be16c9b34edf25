/**
 * AWS list prices the cost model multiplies measured usage by: on-demand, no free tier, no volume discounts.
 * US West (Oregon), which prices these services as US East (N. Virginia) does; US West (N. California) is 10–25%
 * dearer for most of them. Check them against https://aws.amazon.com/pricing/ before quoting a figure: prices
 * change, and a change here changes every figure of `npm run bench -- --only cost`.
 */
export const PRICES = {
  region: 'us-west-2',
  readOn: '2026-12-05',
  source: 'AWS pricing pages of each service (on-demand list prices, USD)',
  httpApi: { perMillionRequests: 1.0, note: 'first 300 M a month; each 512 KB of a request is one request' },
  lambda: {
    perMillionRequests: 0.2,
    /** arm64 (the stack's architecture), first 6 billion GB-s a month. */
    perGbSecond: 0.0000133334,
  },
  dynamodb: { perMillionWru: 0.625, perMillionRru: 0.125 },
  sqs: { perMillionRequests: 0.4, note: 'standard queues; each 64 KB of payload is one request' },
  s3: {
    perThousandPut: 0.005,
    perThousandGet: 0.0004,
    perGbMonth: 0.023,
  },
  kms: { perTenThousandRequests: 0.03 },
  secretsManager: { perTenThousandCalls: 0.05 },
  cloudwatchLogs: { perGbIngested: 0.5 },
  xray: { perMillionTracesRecorded: 5.0 },
} as const;

/**
 * What the meter cannot see locally, with where each number comes from. Each is a modelled line of the table,
 * named as such.
 */
export const ASSUMPTIONS = {
  /** START, END and REPORT lines Lambda writes per invocation (REPORT with X-Ray's trace line): ~330 bytes. */
  platformLogBytesPerInvocation: 330,
  /** One line of the HTTP API's access log format (infra/stack/api.ts) with typical values: ~420 bytes. */
  accessLogBytesPerRequest: 420,
  /** X-Ray's default rule records the first request each second and 5% of the rest. */
  tracedShare: 0.05,
  /**
   * KMS is not called per dose: SQS reuses a data key for an hour per queue and principal (the stack's
   * dataKeyReuse), DynamoDB and CloudWatch Logs cache theirs for minutes, S3 uses bucket keys. At the modelled
   * rate below, about this many KMS requests an hour reach the stack's key.
   */
  kmsRequestsPerHour: 600,
  /** The rate the per-dose share of hourly costs is taken at: California's busiest 2021 days. */
  dosesPerDay: 400_000,
} as const;

/** S3 operations billed at the PUT, COPY, POST, LIST rate (the rest at the GET rate). */
export const S3_PUT_CLASS = new Set([
  'PutObject',
  'CopyObject',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'ListObjectsV2',
  'ListObjectVersions',
]);
