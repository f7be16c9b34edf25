import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseChangeMessage } from '#doses/messages.ts';
import type { ReportResult } from '#registry/report.ts';

// The reporter's collaborators that reach AWS or a registry: every well-formed change is settled at once.
const reportChange = vi.hoisted(() =>
  vi.fn(async (_msg: unknown, _lock: string, _now: Date): Promise<ReportResult> => ({ kind: 'done' })),
);
const parking = vi.hoisted(() => ({ park: vi.fn(async () => {}), releaseParked: vi.fn(async () => 0) }));
vi.mock('#registry/report.ts', () => ({ reportChange }));
vi.mock('#registry/parking.ts', () => parking);

const { handler } = await import('../../functions/registry/reporter.ts');
const { logger } = await import('#platform/logger.ts');

const good = {
  type: 'dose.change',
  schema: 1,
  iis_id: 'SITE-1',
  vax_event_id: 'EVT-1',
  version: 1,
  action: 'A',
  stored_at: '2026-01-01T00:00:00.000Z',
};
const record = (messageId: string, body: string) => ({ messageId, body }) as SQSRecord;
const event = (...records: SQSRecord[]) => ({ Records: records }) as SQSEvent;

describe('registry reporter: a malformed message', () => {
  beforeEach(() => reportChange.mockClear());

  it('fails only itself; the good message of the same batch is reported', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const malformed = '{"iis_id":"SITE-1","vax_event_id":"Jane Doe 1970-01-01"';
    const res = await handler(event(record('bad-1', malformed), record('good-1', JSON.stringify(good))));
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect(reportChange).toHaveBeenCalledTimes(1);
    expect(reportChange).toHaveBeenCalledWith(good, expect.any(String), expect.any(Date));
    // A code and the message id: nothing of the body.
    expect(errors).toHaveBeenCalledWith('REGISTRY_MESSAGE_MALFORMED', { messageId: 'bad-1' });
    expect(JSON.stringify(errors.mock.calls)).not.toContain('Jane');
    errors.mockRestore();
  });

  it('is any body that is not a change message: not JSON, not an object, a field missing or mistyped', () => {
    expect(parseChangeMessage(JSON.stringify(good))).toEqual(good);
    for (const body of [
      '',
      'not json',
      'null',
      '[]',
      '"dose.change"',
      JSON.stringify({ ...good, type: 'other' }),
      JSON.stringify({ ...good, schema: 2 }),
      JSON.stringify({ ...good, iis_id: 7 }),
      JSON.stringify({ ...good, vax_event_id: '' }),
      JSON.stringify({ ...good, version: '1' }),
      JSON.stringify({ ...good, version: 0 }),
      JSON.stringify({ ...good, version: 1.5 }),
      JSON.stringify({ ...good, action: 'X' }),
      JSON.stringify({ ...good, stored_at: undefined }),
    ])
      expect(parseChangeMessage(body), body).toBeUndefined();
  });
});

describe('registry reporter: a batch', () => {
  const change = (vax_event_id: string, version: number) => ({ ...good, vax_event_id, version });
  const msg = (id: string, vax: string, version: number) => record(id, JSON.stringify(change(vax, version)));
  beforeEach(() => {
    reportChange.mockReset();
    parking.park.mockClear();
    parking.releaseParked.mockClear();
  });

  it('reports the messages of one dose once, through the newest, under a lock named for its message', async () => {
    reportChange.mockResolvedValue({ kind: 'done' });
    const res = await handler(event(msg('m1', 'EVT-1', 1), msg('m3', 'EVT-1', 3), msg('m2', 'EVT-1', 2)));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(reportChange).toHaveBeenCalledTimes(1);
    expect(reportChange).toHaveBeenCalledWith(
      change('EVT-1', 3),
      expect.stringMatching(/:m3$/),
      expect.any(Date),
    );
  });

  it("reports a batch's doses at once (the registry's own cap limits its requests), each dose once", async () => {
    let inFlight = 0;
    let most = 0;
    reportChange.mockImplementation(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return { kind: 'done' };
    });
    const doses = Array.from({ length: 9 }, (_, i) => msg(`m${i}`, `EVT-${i}`, 1));
    const res = await handler(event(...doses, msg('m9', 'EVT-0', 2)));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(reportChange).toHaveBeenCalledTimes(9);
    expect(most).toBe(9);
  });

  it('keeps every message of a dose that could not be settled on the queue, and only those', async () => {
    reportChange.mockImplementation(async (m) =>
      (m as { vax_event_id: string }).vax_event_id === 'EVT-1'
        ? { kind: 'retry', registry: 'CAIR2', reason: 'timeout' }
        : { kind: 'done' },
    );
    const res = await handler(event(msg('a1', 'EVT-1', 1), msg('b1', 'EVT-2', 1), msg('a2', 'EVT-1', 2)));
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a1', 'a2']);
    expect(reportChange).toHaveBeenCalledTimes(2);
  });

  it('parks, not fails, the messages of a registry refusing our credentials or paused', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => {});
    reportChange.mockImplementation(async (m) =>
      (m as { vax_event_id: string }).vax_event_id === 'EVT-1'
        ? { kind: 'security-fault', registry: 'RIDE' }
        : { kind: 'paused', registry: 'RIDE' },
    );
    const res = await handler(event(msg('a1', 'EVT-1', 1), msg('a2', 'EVT-1', 2), msg('b1', 'EVT-2', 1)));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(parking.park).toHaveBeenCalledWith('RIDE', [change('EVT-1', 1), change('EVT-1', 2)]);
    expect(parking.park).toHaveBeenCalledWith('RIDE', [change('EVT-2', 1)]);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors).toHaveBeenCalledWith('REGISTRY_CREDENTIALS_REFUSED', { registry: 'RIDE' });
    errors.mockRestore();
  });

  it('releases the parked messages of a registry that answers again', async () => {
    reportChange.mockResolvedValue({ kind: 'done', resumed: 'RIDE' });
    expect(await handler(event(msg('a1', 'EVT-1', 1)))).toEqual({ batchItemFailures: [] });
    expect(parking.releaseParked).toHaveBeenCalledWith('RIDE');
  });

  it('answers a batch that failed whole with every message, rather than failing the invocation', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => {});
    reportChange.mockImplementation(async (m) => {
      if ((m as { vax_event_id: string }).vax_event_id === 'EVT-1') throw new Error('boom');
      return { kind: 'ack-mismatch', registry: 'CAIR2', version: 1 };
    });
    const res = await handler(event(msg('a1', 'EVT-1', 1), msg('b1', 'EVT-2', 1), record('c1', 'not json')));
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a1', 'b1', 'c1']);
    expect(errors).toHaveBeenCalledWith('REGISTRY_ACK_MISMATCH', { registry: 'CAIR2', version: 1 });
    expect(errors).toHaveBeenCalledWith('registry report failed', expect.anything());
    errors.mockRestore();
  });

  it('keeps a dose locked by another container on the queue, quietly', async () => {
    reportChange.mockResolvedValue({ kind: 'locked' });
    expect(await handler(event(msg('a1', 'EVT-1', 1)))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'a1' }],
    });
  });
});
