import type { Context, SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const stageMessage = vi.fn();
vi.mock('#cdc/stage.ts', () => ({ stageMessage: (...args: unknown[]) => stageMessage(...args) }));
const { handler } = await import('../../functions/cdc/stager.ts');

const record = (id: string, body: string) => ({
  messageId: id,
  receiptHandle: id,
  body,
  attributes: { SentTimestamp: '1764806400000', ApproximateReceiveCount: '1' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-west-2:000000000000:cdc',
  awsRegion: 'us-west-2',
});
const change = (version: number) => JSON.stringify({ iis_id: 'A1', vax_event_id: 'v', version });
const event = (...records: ReturnType<typeof record>[]) => ({ Records: records }) as unknown as SQSEvent;
const context = {} as Context;

describe('CDC stager', () => {
  beforeEach(() => {
    stageMessage.mockReset();
    stageMessage.mockImplementation(async (msg: { version: number }) => {
      if (msg.version === 2) return { kind: 'missing' };
      if (msg.version === 3) throw new Error('table unavailable');
      return { kind: 'staged', day: '2025-12-03' };
    });
  });

  it('answers only the failed records, to be retried: unreadable, pointing at no version, or failing', async () => {
    const res = await handler(
      event(
        record('ok', change(1)),
        record('missing', change(2)),
        record('throws', change(3)),
        record('bad', '{'),
      ),
      context,
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad', 'missing', 'throws']);
    expect(stageMessage.mock.calls[0]![1]).toEqual(new Date(1764806400000));
  });

  it('answers every record when all of them fail, rather than throwing', async () => {
    const res = await handler(event(record('a', change(2)), record('b', change(3))), context);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'b']);
  });

  it('stages at most five records at once', async () => {
    let active = 0;
    let most = 0;
    stageMessage.mockImplementation(async () => {
      most = Math.max(most, ++active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return { kind: 'staged', day: '2025-12-03' };
    });
    const res = await handler(
      event(...Array.from({ length: 10 }, (_, i) => record(`m${i}`, change(1)))),
      context,
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(most).toBe(5);
  });
});
