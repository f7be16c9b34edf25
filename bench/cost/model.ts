/**
 * The cost model: a meter snapshot (local/metering/) of one path, priced per 1,000,000 of the doses it
 * accepted. Pure: the same snapshot always prices the same, so it is unit-tested (test/bench/cost-model.test.ts).
 */
import type { MeterSnapshot } from '../../local/metering/meter.ts';
import { ASSUMPTIONS, PRICES, S3_PUT_CLASS } from './prices.ts';

export interface CostLine {
  service: string;
  /** What is billed, e.g. "write request units". */
  item: string;
  /** Billed units per million doses. */
  units: number;
  usd: number;
  /** Not counted locally: from ASSUMPTIONS. */
  modelled?: true;
}

const GB = 1024 ** 3;
const MONTH_DAYS = 30;

export interface PricingOptions {
  /** Days an object stored under `<bucket>/<prefix>/` is kept (the topology's lifecycle rules). */
  retentionDays(where: string): number;
}

/** Every billed line of the snapshot, per million of `doses`. */
export function priceSnapshot(snap: MeterSnapshot, doses: number, options: PricingOptions): CostLine[] {
  if (doses <= 0) return [];
  const perMillion = 1_000_000 / doses;
  const lines: CostLine[] = [];
  const add = (service: string, item: string, units: number, unitPrice: number, modelled = false) => {
    if (units <= 0) return;
    const scaled = units * perMillion;
    lines.push({
      service,
      item,
      units: scaled,
      usd: scaled * unitPrice,
      ...(modelled ? { modelled: true } : {}),
    });
  };

  add('API Gateway', 'HTTP API requests', snap.api.billed, PRICES.httpApi.perMillionRequests / 1e6);
  const fns = Object.values(snap.functions);
  const invocations = fns.reduce((n, f) => n + f.invocations, 0);
  add('Lambda', 'requests', invocations, PRICES.lambda.perMillionRequests / 1e6);
  add(
    'Lambda',
    'GB-seconds (arm64)',
    fns.reduce((n, f) => n + f.gbSeconds, 0),
    PRICES.lambda.perGbSecond,
  );

  let wru = 0;
  let rru = 0;
  let sqs = 0;
  let s3Put = 0;
  let s3Get = 0;
  let secrets = 0;
  for (const ops of Object.values(snap.calls))
    for (const [op, t] of Object.entries(ops)) {
      const [service, operation = ''] = op.split('.');
      wru += t.wru;
      rru += t.rru;
      // An empty long poll is the event source mapping idling: billed by the hour whatever the doses.
      if (service === 'SQS' && !operation.endsWith('(empty)')) sqs += t.billed;
      if (service === 'S3') {
        if (S3_PUT_CLASS.has(operation)) s3Put += t.billed;
        else s3Get += t.billed;
      }
      if (service === 'SecretsManager') secrets += t.billed;
    }
  add('DynamoDB', 'write request units', wru, PRICES.dynamodb.perMillionWru / 1e6);
  add('DynamoDB', 'read request units', rru, PRICES.dynamodb.perMillionRru / 1e6);
  add('SQS', 'requests (64 KB each)', sqs, PRICES.sqs.perMillionRequests / 1e6);
  add('S3', 'PUT/COPY/POST/LIST requests', s3Put, PRICES.s3.perThousandPut / 1e3);
  add('S3', 'GET/HEAD requests', s3Get, PRICES.s3.perThousandGet / 1e3);
  const gbMonths = Object.entries(snap.stored).reduce(
    (n, [where, bytes]) => n + (bytes / GB) * (options.retentionDays(where) / MONTH_DAYS),
    0,
  );
  add('S3', 'storage, GB-months over the lifecycle', gbMonths, PRICES.s3.perGbMonth);
  add('Secrets Manager', 'API calls', secrets, PRICES.secretsManager.perTenThousandCalls / 1e4);

  const logBytes =
    fns.reduce((n, f) => n + f.logBytes, 0) +
    invocations * ASSUMPTIONS.platformLogBytesPerInvocation +
    snap.api.requests * ASSUMPTIONS.accessLogBytesPerRequest;
  add(
    'CloudWatch Logs',
    'GB ingested (functions, Lambda platform lines, API access log)',
    logBytes / GB,
    PRICES.cloudwatchLogs.perGbIngested,
  );
  add(
    'X-Ray',
    'traces recorded',
    invocations * ASSUMPTIONS.tracedShare,
    PRICES.xray.perMillionTracesRecorded / 1e6,
    true,
  );
  // KMS is priced by the hour the doses take to arrive at the modelled rate, not by the dose.
  const hours = (doses / ASSUMPTIONS.dosesPerDay) * 24;
  add(
    'KMS',
    'requests (key caching)',
    ASSUMPTIONS.kmsRequestsPerHour * hours,
    PRICES.kms.perTenThousandRequests / 1e4,
    true,
  );
  return lines;
}

export const total = (lines: readonly CostLine[]) => lines.reduce((n, l) => n + l.usd, 0);

export interface PerDose {
  who: string;
  calls: number;
  wru: number;
  rru: number;
  byOp: string;
}

/** Calls and DynamoDB units per dose by function (its own and its event source mapping's), empty polls left out. */
export function callsPerDose(snap: MeterSnapshot, doses: number): PerDose[] {
  const out: PerDose[] = [];
  for (const [who, ops] of Object.entries(snap.calls)) {
    const counted = Object.entries(ops).filter(([op]) => !op.endsWith('(empty)'));
    const sum = (k: 'calls' | 'wru' | 'rru') => counted.reduce((n, [, t]) => n + t[k], 0) / doses;
    if (sum('calls') === 0) continue;
    const byOp = counted
      .sort((a, b) => b[1].calls - a[1].calls)
      .map(([op, t]) => `${op.replace(/^[^.]+\./, '')} ${(t.calls / doses).toFixed(2)}`)
      .join(', ');
    out.push({ who, calls: sum('calls'), wru: sum('wru'), rru: sum('rru'), byOp });
  }
  return out.sort((a, b) => b.calls - a.calls);
}
