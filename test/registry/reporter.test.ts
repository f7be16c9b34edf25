import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseChangeMessage } from '#doses/messages.ts';

// The reporter's collaborators that reach AWS or a registry: every well-formed change is settled at once.
const reportChange = vi.hoisted(() =>
  vi.fn(async (_msg: unknown, _lock: string, _now: Date) => ({ kind: 'done' as const })),
);
vi.mock('#registry/report.ts', () => ({ reportChange }));
vi.mock('#registry/parking.ts', () => ({ park: vi.fn(), releaseParked: vi.fn() }));

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
