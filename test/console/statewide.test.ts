import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_BANDS, CA_COUNTIES } from '#analytics/bands.ts';
import { runAnalytics } from '#analytics/nightly/run.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';
import { ADMIN_KEY, type Client, client, drained } from '../integration/harness.ts';
import {
  accessible,
  type ConsoleWorld,
  openFromNav,
  READY_MS,
  ready,
  shot,
  startConsole,
} from './harness.ts';

const now = new Date();
const TODAY = localDate(now);
let world: ConsoleWorld;
let api: Client;

beforeAll(async () => {
  world = await startConsole();
  api = client(world.rt);
  const key = (await api.call('POST', '/v1/sites', { body: demoSite, key: ADMIN_KEY })).json.api_key;
  const lines = CA_COUNTIES.flatMap((c) => AGE_BANDS.map((g) => `${c},${g},WHITE,NOT_HISPANIC,F,100`));
  const den = await api.call('PUT', '/v1/denominators', {
    key: ADMIN_KEY,
    raw: `county,age_group,race,ethnicity,sex,population\n${lines.join('\n')}\n`,
    headers: { 'content-type': 'text/csv' },
  });
  expect(den.status, JSON.stringify(den.json)).toBe(201);
  await api.call('PUT', '/v1/lots/80777-0273-10/039K20A', {
    key: ADMIN_KEY,
    body: { expiration: addDays(TODAY, 5) },
  });
  await api.call('POST', '/v1/inventory/receipts', {
    key,
    body: { record_id: 'SW-R1', ndc: '80777-0273-10', lot_number: '039K20A', doses: 200, date: TODAY },
  });
  await api.call('POST', '/v1/wastage', {
    key,
    body: {
      record_id: 'SW-W1',
      ndc: '80777-0273-10',
      lot_number: '039K20A',
      doses: 3,
      date: TODAY,
      reason: 'broken-or-dropped',
    },
  });
  // Twelve different people of Alameda County (another name and birth year each).
  const doses = Array.from({ length: 12 }, (_, i) =>
    modernaDose({
      vax_event_id: `SW-${i}`,
      recip_id: `SW-P${i}`,
      recip_first_name: ['Ana', 'Ben', 'Cy', 'Di', 'Ed', 'Flo', 'Gus', 'Hal', 'Ida', 'Jo', 'Kim', 'Lu'][i],
      recip_last_name: [
        'Abe',
        'Bold',
        'Cruz',
        'Diaz',
        'Eng',
        'Fox',
        'Gill',
        'Hart',
        'Ito',
        'Jain',
        'Kerr',
        'Lee',
      ][i],
      recip_dob: `19${60 + i}-0${1 + (i % 9)}-1${i % 10}`,
      admin_date: TODAY,
      vax_expiration: addDays(TODAY, 5),
    }),
  );
  const posted = await api.call('POST', '/v1/doses', { key, body: { doses } });
  expect(posted.json.results.filter((r: { status: string }) => r.status === 'accepted')).toHaveLength(12);
  await drained(world.rt, 'person-changes', 30_000);
  const reports = bucketStore('REPORTS_BUCKET');
  await runRollup(TODAY, reports, () => now);
  await runAnalytics(TODAY, reports, () => now);
}, 240_000);

afterAll(async () => {
  await world?.stop();
});

describe('statewide pages in a browser', () => {
  it('program staff: the county map and groups, then supply and wastage', async () => {
    const page = await world.signedInPage('program');
    // Plot is a chunk of its own, downloaded only by the pages with charts.
    const chunks: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/chunks/')) chunks.push(new URL(r.url()).pathname);
    });

    expect(await openFromNav(page, 'Statewide', '/statewide')).toBeLessThan(READY_MS);
    await page
      .getByRole('table', { name: /by the county of the site/ })
      .getByRole('rowheader', { name: 'Alameda (06001)' })
      .waitFor();
    expect(await page.getByLabel('Day of the figures').inputValue()).toBe(TODAY);
    expect(chunks.filter((c) => c.includes('statewide-charts'))).toEqual([]);
    await accessible(page);
    await shot(page, 'statewide-overview');

    expect(await openFromNav(page, 'Counties and groups', '/statewide/map')).toBeLessThan(READY_MS);
    expect(chunks.filter((c) => c.includes('statewide-charts'))).toHaveLength(1);
    const map = page.getByRole('img', { name: /Map of California's counties shaded by doses given/ });
    // One path per county; Alameda, the only county with doses, in a darker shade than the 57 others.
    const fills = await map
      .locator('svg')
      .last()
      .locator('path')
      .evaluateAll((paths) => paths.map((p) => p.getAttribute('fill')));
    expect(fills).toHaveLength(58);
    const shades = new Map<string | null, number>();
    for (const f of fills) shades.set(f, (shades.get(f) ?? 0) + 1);
    expect([...shades.values()].sort((a, b) => a - b)).toEqual([1, 57]);
    const counties = page.getByRole('table', { name: /^Doses given by county/ });
    expect(await counties.locator('tbody tr').count()).toBe(58);
    const alameda = counties.getByRole('row', { name: /Alameda/ });
    expect(await alameda.locator('td').first().textContent()).toBe('06001');
    expect(await alameda.locator('td').nth(1).textContent()).toBe('12');
    // Every chart is drawn without Plot's inline <style> (the CSP would refuse it).
    expect(await page.locator('main style').count()).toBe(0);
    await accessible(page);
    await shot(page, 'statewide-map');

    await page.selectOption('#map-measure', 'coverage');
    await page.waitForURL(/measure=coverage/);
    await ready(page, '/statewide/map', Date.now());
    await page.getByRole('img', { name: /shaded by coverage/ }).waitFor();
    // 12 people of Alameda's population in the denominator file (100 per age band).
    const coverage = `${((12 / (AGE_BANDS.length * 100)) * 100).toFixed(2)}%`;
    expect(
      await page
        .getByRole('table', { name: /^Coverage \(at least one dose\) by county/ })
        .getByRole('row', { name: /Alameda/ })
        .textContent(),
    ).toContain(coverage);
    // The people are 54 to 66 (born 1960–1971): the age bands with none are flagged, theirs are not.
    const ages = page.getByRole('table', { name: /^Age: people vaccinated/ });
    expect(await ages.getByRole('row', { name: /^18-24/ }).textContent()).toContain('Flagged');
    expect(await ages.getByRole('row', { name: /^50-64/ }).textContent()).not.toContain('Flagged');
    await page.getByRole('img', { name: /^Age: coverage \(at least one dose\) by group/ }).waitFor();
    for (const group of ['Race', 'Ethnicity', 'Sex'])
      await page.getByRole('table', { name: new RegExp(`^${group}: people vaccinated`) }).waitFor();
    expect(await page.locator('main style').count()).toBe(0);
    await accessible(page);
    await shot(page, 'statewide-map-coverage');

    expect(await openFromNav(page, 'Supply and wastage', '/statewide/supply')).toBeLessThan(READY_MS);
    const supply = page.getByRole('table', { name: /Doses on hand and days of supply/ });
    expect(await supply.getByRole('rowheader', { name: 'Alameda (06001)' }).count()).toBe(1);
    expect(await supply.getByRole('row', { name: /06001/ }).textContent()).toContain('185');
    await page
      .getByRole('table', { name: /will not all be given before they expire/ })
      .getByRole('rowheader', { name: '039K20A' })
      .waitFor();
    await page
      .getByRole('table', { name: /expire within 30 days/ })
      .getByRole('rowheader', { name: '039K20A' })
      .waitFor();
    const lost = page.getByRole('table', { name: /Doses lost on .* by reason/ });
    expect(await lost.getByRole('row', { name: /broken or dropped/ }).textContent()).toContain('3');
    await page.getByRole('img', { name: /Doses lost on/ }).waitFor();
    await accessible(page);
    await shot(page, 'statewide-supply');
    await page.context().close();
    // Four pages, each checked by axe (the county table has 58 rows): longer than the default 30 s.
  }, 120_000);

  it('no script error and no Content-Security-Policy violation on any page', () => {
    expect(world.problems).toEqual([]);
  });
});
