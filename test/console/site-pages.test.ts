import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalytics } from '#analytics/nightly/run.ts';
import { isoWeek } from '#analytics/timeliness.ts';
import { runFollowUp } from '#persons/follow-up.ts';
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
const SOON = addDays(TODAY, 10);
const reports = bucketStore('REPORTS_BUCKET');
let world: ConsoleWorld;
let api: Client;

beforeAll(async () => {
  world = await startConsole();
  api = client(world.rt);
  const site = await api.call('POST', '/v1/sites', { body: demoSite, key: ADMIN_KEY });
  const key = site.json.api_key;
  // The lot expires in ten days: the roll-up lists it as expiring.
  const lot = await api.call('PUT', '/v1/lots/80777-0273-10/039K20A', {
    key: ADMIN_KEY,
    body: { expiration: SOON },
  });
  expect(lot.status).toBe(201);
  const receipt = await api.call('POST', '/v1/inventory/receipts', {
    key,
    body: { record_id: 'SEED-R1', ndc: '80777-0273-10', lot_number: '039K20A', doses: 100, date: TODAY },
  });
  expect(receipt.json.results[0].status).toBe('accepted');
  // First doses of a two-dose series (Moderna: the second due from 28 days, overdue after 49): given in 2021,
  // Maria is long overdue; given 30 days ago, Ana is due.
  await api.call('POST', '/v1/doses', { key, body: modernaDose({ vax_event_id: 'STOCK-1' }) });
  const due = await api.call('POST', '/v1/doses', {
    key,
    body: modernaDose({
      vax_event_id: 'STOCK-2',
      recip_id: 'PAT-2002',
      recip_first_name: 'Ana',
      recip_middle_name: 'Lucia',
      recip_last_name: 'Reyes',
      recip_dob: '1990-01-15',
      recip_address_street: '42 Lakeshore Ave',
      recip_address_zip: '94610',
      admin_date: addDays(TODAY, -30),
      vax_expiration: SOON,
    }),
  });
  expect(due.json.results?.[0]?.status ?? due.json.status, JSON.stringify(due.json)).toBe('accepted');
  await drained(world.rt, 'person-changes', 30_000);
  await runRollup(TODAY, reports, () => now);
  await runFollowUp(reports, TODAY);
  await runAnalytics(TODAY, reports, () => now);
}, 240_000);

afterAll(async () => {
  await world?.stop();
});

describe('site pages in a browser', () => {
  it('site-writer: stock by lot, a receipt and a loss recorded, the follow-up list, the scorecard', async () => {
    const page = await world.signedInPage('site-writer');

    expect(await openFromNav(page, 'Stock', '/stock')).toBeLessThan(READY_MS);
    const lots = page.getByRole('table', { name: /Doses by lot/ });
    const row = lots.getByRole('row', { name: /039K20A/ });
    expect(await row.textContent()).toContain('100');
    expect(await row.textContent()).toContain(`${SOON} (10 days)`);
    expect(await page.locator('main').textContent()).toContain(`As of ${TODAY}`);
    await accessible(page);
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/v1/')) posts.push(r.postDataJSON().record_id);
    });

    const receipt = page.getByRole('form', { name: 'Record a receipt' });
    await receipt.getByLabel('Product (NDC)').fill('80777-0273-10');
    await receipt.getByLabel('Lot number').fill('039K20A');
    await receipt.getByLabel('Doses').fill('20');
    // A double-click sends one record, or the same record twice (a duplicate): never two receipts.
    await receipt.getByRole('button', { name: 'Record a receipt' }).dblclick();
    await page.getByRole('status').filter({ hasText: 'doses of lot 039K20A received' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toMatch(
      /(Recorded|Already recorded): 20 doses of lot 039K20A received on .*nightly roll-up/,
    );
    expect(new Set(posts).size).toBe(1);
    expect(posts[0]).toMatch(/^console-[0-9a-f-]{36}$/);

    const wastage = page.getByRole('form', { name: 'Record wastage' });
    await wastage.getByLabel('Product (NDC)').fill('80777-0273-10');
    await wastage.getByLabel('Lot number').fill('039K20A');
    await wastage.getByLabel('Doses').fill('two');
    await wastage.getByLabel('Reason').selectOption('broken-or-dropped');
    await wastage.getByRole('button', { name: 'Record wastage' }).click();
    await page.getByRole('alert').filter({ hasText: 'The wastage was not recorded' }).waitFor();
    const doses = wastage.getByLabel('Doses');
    expect(await doses.getAttribute('aria-invalid')).toBe('true');
    const described = (await doses.getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${described}"]`).textContent()).toMatch(/doses/);
    await accessible(page);
    await shot(page, 'site-stock-refused');
    await doses.fill('2');
    await wastage.getByRole('button', { name: 'Record wastage' }).click();
    await page.getByRole('status').filter({ hasText: 'Recorded: 2 doses of lot 039K20A lost' }).waitFor();
    expect(await doses.getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('.field-finding').count()).toBe(0);
    // A new form gets a new record ID: the loss is not a duplicate of the refused try or of the receipt.
    expect(new Set(posts).size).toBe(2);
    await shot(page, 'site-stock');

    // The next roll-up counts the receipt once and the loss (a re-run of the day rereads its movements).
    await runRollup(TODAY, reports, () => new Date());
    await page.reload();
    await ready(page, '/stock', Date.now());
    const cells = await page
      .getByRole('table', { name: /Doses by lot/ })
      .getByRole('row', { name: /039K20A/ })
      .locator('td')
      .allTextContents();
    // Product, start, received, sent out, given, wasted, expired or spoiled, on hand, expires.
    expect(cells.slice(2, 8)).toEqual(['120', '0', '2', '2', '0', '116']);

    expect(await openFromNav(page, 'Follow-up', '/follow-up')).toBeLessThan(READY_MS);
    const people = page.getByRole('table', { name: /2 people to follow up, as of .*overdue first/ });
    const names = await people.locator('tbody th').allTextContents();
    expect(names.map((n) => n.toUpperCase())).toEqual(['GONZALEZ, MARIA', 'REYES, ANA']);
    expect(await people.getByRole('row', { name: /GONZALEZ, MARIA/i }).textContent()).toContain('overdue');
    expect(await people.getByRole('row', { name: /REYES, ANA/i }).textContent()).toContain('due');
    await accessible(page);
    await shot(page, 'site-follow-up');
    await page.getByLabel('Show').selectOption('due');
    expect(page.url()).not.toMatch(/status=/);
    const start = Date.now();
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await ready(page, '/follow-up', start)).toBeLessThan(READY_MS);
    expect(new URL(page.url()).search).toBe('?status=due');
    const dueOnly = page.getByRole('table', { name: /1 person to follow up/ });
    expect(await dueOnly.locator('tbody th').allTextContents()).toEqual([
      expect.stringMatching(/REYES, ANA/i),
    ]);
    // Patient data is shown, never kept in the browser.
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    const kept = await page.evaluate(() => Object.values({ ...sessionStorage }).join(' '));
    expect(kept).not.toMatch(/REYES|GONZALEZ|PAT-/i);

    expect(await openFromNav(page, 'Scorecard', '/scorecard')).toBeLessThan(READY_MS);
    const all = await page.locator('main dl').textContent();
    expect(all).toContain('Reports2 (2 accepted, 0 rejected)');
    expect(all).toContain('Top finding codes');
    const weeks = page.getByRole('table', { name: /reporting by ISO week/ });
    const week = weeks.getByRole('row', { name: isoWeek(TODAY) });
    expect(await week.locator('td').first().textContent()).toBe('2');
    await accessible(page);
    await shot(page, 'site-scorecard');
    await page.context().close();
  });

  it('site-reader sees stock but no forms', async () => {
    const page = await world.signedInPage('site-reader');
    expect(await openFromNav(page, 'Stock', '/stock')).toBeLessThan(READY_MS);
    await page.getByRole('table', { name: /Doses by lot/ }).waitFor();
    expect(await page.getByRole('form').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('Your sign-in is read-only');
    await accessible(page);
    await shot(page, 'site-stock-read-only');
    await page.context().close();
  });

  it('no script error and no Content-Security-Policy violation on any page', () => {
    expect(world.problems).toEqual([]);
  });
});
