/**
 * npm run cdc-report against the local pipeline in this process, found as npm start is found (endpoints.json):
 * the command invokes the report function through the local Lambda Invoke API and prints what was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportDay } from '#cdc/day.ts';
import { cdcReport } from '../../scripts/cdc-report.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { client, drained, enroll, type Runtime, startWithout } from '../integration/harness.ts';
import { captureIo, tempDir } from './helpers.ts';

const dir = tempDir('cdc-report-cli');
let rt: Runtime;
const today = reportDay(new Date());

beforeAll(async () => {
  rt = await startWithout(['registryReporter'], { dataDir: dir.path, logger: () => {} });
  const api = client(rt);
  const site = await enroll(api);
  await api.call('POST', '/v1/doses', { key: site.api_key, body: modernaDose({ vax_event_id: 'CLI-1' }) });
  await drained(rt, 'cdc-changes');
});
afterAll(async () => {
  await rt?.stop();
  dir.remove();
});

describe('npm run cdc-report', () => {
  it('sends a day and prints its files and receipts; a second run sends nothing', async () => {
    const first = captureIo({ DATA_DIR: dir.path });
    expect(await cdcReport(['--date', today, '--grace', '0.5'], first.io)).toBe(0);
    const name = `${today.replaceAll('-', '')}_01_CAA.txt`;
    expect(first.stdout()).toContain(`CDC report for ${today}: uploaded`);
    expect(first.stdout()).toContain('1 file(s), 1 record(s), built now; 0 held back');
    expect(first.stdout()).toMatch(new RegExp(`${name}\\s+new\\s+1\\s+now\\s`));

    const second = captureIo({ DATA_DIR: dir.path });
    expect(await cdcReport(['--date', today, '--json'], second.io)).toBe(0);
    const answer = JSON.parse(second.stdout());
    expect(answer.reports[0]).toMatchObject({ day: today, status: 'uploaded', built: 'before' });
    expect(answer.reports[0].files.map((f: { sent: string }) => f.sent)).toEqual(['before']);
    expect(rt.clearinghouse!.received()).toHaveLength(1);
  });

  it('explains a day that has not begun, a malformed date and a missing local stack', async () => {
    const future = captureIo({ DATA_DIR: dir.path });
    expect(await cdcReport(['--date', '2999-01-01'], future.io)).toBe(1);
    expect(future.stderr()).toContain('Report day 2999-01-01 has not begun yet in California');

    const bad = captureIo({ DATA_DIR: dir.path });
    expect(await cdcReport(['--date', '25/11/2026'], bad.io)).toBe(2);
    expect(bad.stderr()).toContain('--date YYYY-MM-DD (or yesterday) is required.');

    const none = captureIo({ DATA_DIR: `${dir.path}-absent` });
    expect(await cdcReport(['--date', today], none.io)).toBe(2);
    expect(none.stderr()).toContain('No local pipeline is running');
  });
});
