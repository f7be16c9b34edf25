import { describe, expect, it } from 'vitest';
import { callsPerDose, priceSnapshot, total } from '../../bench/cost/model.ts';
import { ASSUMPTIONS, PRICES } from '../../bench/cost/prices.ts';
import type { MeterSnapshot } from '../../local/metering/meter.ts';

const snapshot = (over: Partial<MeterSnapshot> = {}): MeterSnapshot => ({
  functions: {},
  calls: {},
  api: { requests: 0, billed: 0 },
  stored: {},
  ...over,
});
const keep = { retentionDays: () => 30 };
const usdOf = (lines: ReturnType<typeof priceSnapshot>, item: string) =>
  lines.find((l) => l.item.startsWith(item))?.usd;

describe('cost model', () => {
  it('prices DynamoDB units per million doses at list prices', () => {
    const snap = snapshot({
      calls: { doses: { 'DynamoDB.PutItem': { calls: 10, billed: 10, rru: 5, wru: 30 } } },
    });
    const lines = priceSnapshot(snap, 10, keep);
    // 3 WRU and 0.5 RRU per dose.
    expect(usdOf(lines, 'write request units')).toBeCloseTo(3 * PRICES.dynamodb.perMillionWru);
    expect(usdOf(lines, 'read request units')).toBeCloseTo(0.5 * PRICES.dynamodb.perMillionRru);
  });

  it('leaves empty long polls out of SQS and prices storage by its lifecycle', () => {
    const snap = snapshot({
      calls: {
        'cdcStager (SQS event source mapping)': {
          'SQS.ReceiveMessage (empty)': { calls: 1000, billed: 1000, rru: 0, wru: 0 },
          'SQS.DeleteMessageBatch': { calls: 1, billed: 1, rru: 0, wru: 0 },
        },
      },
      stored: { 'drop/incoming/': 1024 ** 3 },
    });
    const lines = priceSnapshot(snap, 1_000_000, keep);
    expect(usdOf(lines, 'requests (64 KB each)')).toBeCloseTo(PRICES.sqs.perMillionRequests / 1e6);
    expect(usdOf(lines, 'storage')).toBeCloseTo(PRICES.s3.perGbMonth);
  });

  it('prices Lambda and its logs, with the platform lines modelled per invocation', () => {
    const snap = snapshot({
      functions: { doses: { invocations: 1, billedMs: 1000, gbSeconds: 1, logBytes: 0 } },
    });
    const lines = priceSnapshot(snap, 1_000_000, keep);
    expect(usdOf(lines, 'GB-seconds')).toBeCloseTo(PRICES.lambda.perGbSecond);
    expect(usdOf(lines, 'GB ingested')).toBeCloseTo(
      (ASSUMPTIONS.platformLogBytesPerInvocation / 1024 ** 3) * PRICES.cloudwatchLogs.perGbIngested,
    );
    expect(lines.find((l) => l.service === 'X-Ray')?.modelled).toBe(true);
    expect(total(lines)).toBeGreaterThan(0);
  });

  it('answers nothing for no doses, and calls per dose without idle polls', () => {
    expect(priceSnapshot(snapshot(), 0, keep)).toEqual([]);
    const snap = snapshot({
      calls: {
        doses: {
          'DynamoDB.PutItem': { calls: 4, billed: 4, rru: 0, wru: 8 },
          'SQS.ReceiveMessage (empty)': { calls: 9, billed: 9, rru: 0, wru: 0 },
        },
      },
    });
    expect(callsPerDose(snap, 2)).toEqual([{ who: 'doses', calls: 2, wru: 4, rru: 0, byOp: 'PutItem 2.00' }]);
  });
});
