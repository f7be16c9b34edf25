/** npm run nightly against the local pipeline in this process, found through its endpoints.json. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { reportKey } from '#stock/report-files.ts';
import { nightly } from '../../scripts/nightly.ts';
import { type Runtime, startWithout } from '../integration/harness.ts';
import { captureIo, tempDir } from './helpers.ts';

const dir = tempDir('nightly-cli');
let rt: Runtime;
const yesterday = addDays(localDate(new Date()), -1);

beforeAll(async () => {
  rt = await startWithout(['registryReporter', 'cdcStager'], {
    dataDir: dir.path,
    clearinghouse: false,
    logger: () => {},
  });
});
afterAll(async () => {
  await rt?.stop();
  dir.remove();
});

describe('npm run nightly', () => {
  it('rolls up a past day and says which reports it wrote', async () => {
    const out = captureIo({ DATA_DIR: dir.path });
    expect(await nightly(['--date', 'yesterday'], out.io)).toBe(0);
    expect(out.stdout()).toContain(`Roll-up for ${yesterday}: done (and 31 missed day(s) before it)`);
    expect(out.stdout()).toContain(reportKey(yesterday, 'stock.csv'));
    expect(await bucketStore('REPORTS_BUCKET').get(reportKey(yesterday, 'stock.csv'))).toMatch(
      /^date,iis_id,ndc/,
    );
    // Then the analytics of the day, through the analyticsNightly function (its grants enforced).
    expect(out.stdout()).toContain(`under analytics/${yesterday}/`);
    expect(await bucketStore('REPORTS_BUCKET').get(`analytics/${yesterday}/uptake-cells.csv`)).toMatch(
      /^county,age,race,ethnicity,sex,first_dose/,
    );

    const again = captureIo({ DATA_DIR: dir.path });
    expect(await nightly(['--date', yesterday, '--json'], again.io)).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({
      date: yesterday,
      days: [yesterday],
      analytics: { date: yesterday, days: [yesterday] },
    });
  });

  it('refuses a day that has not ended, and a malformed date', async () => {
    const today = captureIo({ DATA_DIR: dir.path });
    expect(await nightly(['--date', localDate(new Date())], today.io)).toBe(1);
    expect(today.stderr()).toContain('has not ended yet in California');
    const bad = captureIo({ DATA_DIR: dir.path });
    expect(await nightly(['--date', 'monday'], bad.io)).toBe(2);
  });
});
