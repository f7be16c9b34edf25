import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Rejection, recordRejections, rejectionsOn } from '#analytics/rejections.ts';
import { keepRejections, rejectionOf } from '#doses/rejections-log.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { logger } from '#platform/logger.ts';
import { dayPart } from '#platform/store/shards.ts';
import { topology } from '../../infra/topology.ts';
import { type Runtime, startWithout } from '../integration/harness.ts';

/** Issue 15: the log of rejected submissions, round trip through the local DynamoDB (dynalite). */

let rt: Runtime;
const table = () => process.env.ANALYTICS_TABLE!;

beforeAll(async () => {
  // The stand-ins alone: no function is needed to write and read the table.
  rt = await startWithout(Object.keys(topology.functions) as (keyof typeof topology.functions)[]);
});
afterAll(async () => rt?.stop());

const rejection = (over: Partial<Rejection> = {}): Rejection => ({
  iis_id: 'SITE1',
  sender: 'SITE1',
  received_at: '2021-03-15T18:00:00.000Z',
  admin_date: '2021-03-14',
  action: 'A',
  findings: [
    { code: 'REQD003', severity: 'error' },
    { code: 'DQ001', severity: 'warning' },
  ],
  source: 'api:abc:0',
  ...over,
});

describe('rejections log', () => {
  it('reads back what it stored, on the California day, sorted by received_at then source', async () => {
    const day = '2021-03-15';
    const rs = [
      rejection({ source: 'upload:u1:3', received_at: '2021-03-15T20:00:00.000Z' }),
      rejection({ source: 'upload:u1:2', received_at: '2021-03-15T20:00:00.000Z', action: 'U' }),
      // 23:30 in Los Angeles on the 15th is the 16th in UTC: still the 15th's.
      rejection({ source: 'soap:SITE2:EHR-1:1', received_at: '2021-03-16T06:30:00.000Z', sender: 'SITE2' }),
      // 23:30 UTC on the 14th is 16:30 on the 14th in Los Angeles: not the 15th's.
      rejection({ source: 'api:other:0', received_at: '2021-03-15T06:30:00.000Z' }),
      rejection({ source: 'api:early:0', received_at: '2021-03-15T08:00:00.000Z', admin_date: undefined }),
    ];
    await recordRejections(rs);
    const read = await rejectionsOn(day);
    expect(read.map((r) => r.source)).toEqual([
      'api:early:0',
      'upload:u1:2',
      'upload:u1:3',
      'soap:SITE2:EHR-1:1',
    ]);
    expect(read[1]).toEqual(rs[1]);
    expect(read[0]).not.toHaveProperty('admin_date');
    expect((await rejectionsOn('2021-03-14')).map((r) => r.source)).toEqual(['api:other:0']);
  });

  it('is idempotent by source: a retry overwrites, never double counts', async () => {
    const day = '2021-04-01';
    const one = rejection({ source: 'upload:u2:7', received_at: '2021-04-01T17:00:00.000Z' });
    await recordRejections([one]);
    await recordRejections([one, { ...one, findings: [{ code: 'DQ017', severity: 'error' }] }]);
    const read = await rejectionsOn(day);
    expect(read).toEqual([{ ...one, findings: [{ code: 'DQ017', severity: 'error' }] }]);
  });

  it('writes more than one batch and reads every shard, paginated', async () => {
    const day = '2021-05-02';
    const rs = Array.from({ length: 120 }, (_, i) =>
      rejection({
        source: `upload:big:${String(i).padStart(3, '0')}`,
        received_at: '2021-05-02T19:00:00.000Z',
      }),
    );
    await recordRejections(rs);
    const read = await rejectionsOn(day);
    expect(read).toHaveLength(120);
    expect(read.map((r) => r.source)).toEqual(rs.map((r) => r.source));
    // Spread over the day's shards, under the documented key.
    const r0 = rs[0]!;
    const item = await dynamodb.send(
      new GetItemCommand({
        TableName: table(),
        Key: { pk: { S: `REJECTED#${dayPart(day, r0.source)}` }, sk: { S: r0.source } },
      }),
    );
    expect(item.Item?.iis_id?.S).toBe('SITE1');
    const shards = new Set(rs.map((r) => dayPart(day, r.source)));
    expect(shards.size).toBeGreaterThan(8);
  });

  it('keeps codes and severities only, whatever else a finding carries', async () => {
    const withMessage = {
      ...rejection({ source: 'api:phi:0', received_at: '2021-06-01T17:00:00.000Z' }),
      findings: [{ code: 'DATA001', severity: 'error', field: 'recip_first', message: 'JANE is not valid' }],
    } as unknown as Rejection;
    await recordRejections([withMessage]);
    const res = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `REJECTED#${dayPart('2021-06-01', 'api:phi:0')}` } },
      }),
    );
    const stored = JSON.stringify(res.Items);
    expect(stored).toContain('DATA001');
    expect(stored).not.toContain('JANE');
    expect(stored).not.toContain('recip_first');
    expect((await rejectionsOn('2021-06-01'))[0]!.findings).toEqual([{ code: 'DATA001', severity: 'error' }]);
  });

  it('drops an admin_date that is not a valid YYYY-MM-DD and refuses a bad day to read', async () => {
    await recordRejections([
      rejection({
        source: 'api:bad-date:0',
        received_at: '2021-07-01T17:00:00.000Z',
        admin_date: '2021-02-30',
      }),
    ]);
    expect((await rejectionsOn('2021-07-01'))[0]).not.toHaveProperty('admin_date');
    await expect(rejectionsOn('2021-7-1')).rejects.toThrow();
  });
});

describe('keepRejections (what the intake paths call)', () => {
  it('never throws: a failed write is a warning with the path, the count and the error class, nothing of the dose', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    const r = rejectionOf({
      iis_id: 'SITE1',
      sender: 'SITE1',
      received: new Date('2021-03-15T18:00:00Z'),
      admin_date: '2021-03-14',
      action: 'A',
      findings: [
        { code: 'BUSR005', severity: 'error', field: 'recip_dob', message: 'born 1957-11-03' } as never,
      ],
      source: 'api:x',
    });
    expect(r.findings).toEqual([{ code: 'BUSR005', severity: 'error' }]);
    await expect(
      keepRejections([r], 'api', async () => {
        throw new TypeError('Zwirblewski 1957-11-03');
      }),
    ).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith('rejections not recorded', {
      path: 'api',
      rejections: 1,
      error: 'TypeError',
    });
    expect(JSON.stringify(warn.mock.calls)).not.toContain('Zwirblewski');
    warn.mockRestore();
  });
});
