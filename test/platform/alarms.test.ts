import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ALARMS } from '#platform/alarms.ts';

/**
 * Each alarm's code is logged when its condition happens (issue 13): the stack alarms on the code in its
 * function's log group, so a code nobody logs is an alarm that never fires. The held-back records alarm is
 * proven in test/integration/cdc-report.test.ts, where a real report day holds one back.
 */
const reportChange = vi.fn();
const rollupStatus = vi.fn();
const runRollup = vi.fn();
const dayStatus = vi.fn();
const runAnalytics = vi.fn();
vi.mock('#registry/report.ts', () => ({ reportChange }));
vi.mock('#registry/parking.ts', () => ({ park: vi.fn(), releaseParked: vi.fn() }));
vi.mock('#stock/store.ts', () => ({ rollupStatus }));
vi.mock('#stock/run-rollup.ts', () => ({ runRollup }));
vi.mock('#cdc/store.ts', () => ({ dayStatus }));
vi.mock('#analytics/nightly/run.ts', () => ({ runAnalytics }));

const { logger } = await import('#platform/logger.ts');
const { reportDose } = await import('#registry/report-dose.ts');
const { handler: nightly } = await import('../../functions/stock/rollup.ts');
const { checkDayUploaded } = await import('#cdc/report-run.ts');
const { handler: analytics } = await import('../../functions/analytics/nightly.ts');

const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
beforeEach(() => errors.mockClear());

const dose = { messageId: 'm1', msg: { iis_id: 'S1', vax_event_id: 'E1', version: 1 } } as never;

describe('alarm log codes', () => {
  it('registryCredentialsRefused: a registry refuses our SOAP credentials', async () => {
    reportChange.mockResolvedValueOnce({ kind: 'security-fault', registry: 'RIDE' });
    await reportDose([dose], 'c1', new Date());
    expect(errors).toHaveBeenCalledWith(ALARMS.registryCredentialsRefused.code, { registry: 'RIDE' });
  });

  it('registryAckMismatch: a registry answers with an ACK for another message', async () => {
    reportChange.mockResolvedValueOnce({ kind: 'ack-mismatch', registry: 'CAIR2', version: 1 });
    await expect(reportDose([dose], 'c1', new Date())).rejects.toThrow();
    expect(errors).toHaveBeenCalledWith(ALARMS.registryAckMismatch.code, { registry: 'CAIR2', version: 1 });
  });

  it("cdcReportLate: yesterday's CDC report is not uploaded at the check", async () => {
    dayStatus.mockResolvedValueOnce({ receipts: {} });
    expect(await checkDayUploaded('2021-03-01')).toBe(false);
    expect(errors).toHaveBeenCalledWith(
      ALARMS.cdcReportLate.code,
      expect.objectContaining({ day: '2021-03-01' }),
    );
  });

  it('rollupFailed: the nightly roll-up throws', async () => {
    runRollup.mockRejectedValueOnce(new TypeError('boom'));
    await expect(nightly({ date: '2021-03-01' })).rejects.toThrow('boom');
    expect(errors).toHaveBeenCalledWith(ALARMS.rollupFailed.code, { date: '2021-03-01', error: 'TypeError' });
  });

  it('analyticsFailed: the nightly analytics throw', async () => {
    rollupStatus.mockResolvedValueOnce({ completed_at: '2021-03-02T08:30:00Z' });
    runAnalytics.mockRejectedValueOnce(new TypeError('boom'));
    await expect(analytics({ date: '2021-03-01' })).rejects.toThrow('boom');
    expect(errors).toHaveBeenCalledWith(ALARMS.analyticsFailed.code, {
      date: '2021-03-01',
      error: 'TypeError',
    });
  });

  it("rollupLate: yesterday's roll-up has not completed at the check", async () => {
    rollupStatus.mockResolvedValueOnce(undefined);
    expect(await nightly({ check: '2021-03-01' })).toEqual({ check: '2021-03-01', completed: false });
    expect(errors).toHaveBeenCalledWith(ALARMS.rollupLate.code, { date: '2021-03-01' });
  });

  it('every alarm has a test that triggers its condition (here or in an integration test)', () => {
    const root = resolve(import.meta.dirname, '..');
    const tests = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? tests(join(dir, d.name)) : d.name.endsWith('.test.ts') ? [join(dir, d.name)] : [],
      );
    const text = tests(root)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const name of Object.keys(ALARMS)) expect(text, name).toContain(`ALARMS.${name}.code`);
  });
});
