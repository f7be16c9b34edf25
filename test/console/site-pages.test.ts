/**
 * Site staff's stock, follow-up and scorecard pages in a real browser (docs/console.md): the lot on hand from
 * the nightly roll-up with its expiry, a receipt and a loss recorded through the forms (a refusal's finding
 * beside its field), the person overdue for a second dose, the site's scorecard; a read-only sign-in gets no
 * forms.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalytics } from '#analytics/nightly/run.ts';
import { runFollowUp } from '#persons/follow-up.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';
import { ADMIN_KEY, type Client, client, drained } from '../integration/harness.ts';
import { accessible, type ConsoleWorld, READY_MS, ready, shot, startConsole } from './harness.ts';

const now = new Date();
const TODAY = localDate(now);
const SOON = addDays(TODAY, 10);
let world: ConsoleWorld;
let api: Client;

async function open(page: Page, label: string, path: string): Promise<number> {
  const start = Date.now();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
  return ready(page, path, start);
}

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
  // A first dose of a two-dose series given in 2021: the person is long overdue for the second.
  await api.call('POST', '/v1/doses', { key, body: modernaDose({ vax_event_id: 'STOCK-1' }) });
  await drained(world.rt, 'person-changes', 30_000);
  const reports = bucketStore('REPORTS_BUCKET');
  await runRollup(TODAY, reports, () => now);
  await runFollowUp(reports, TODAY);
  await runAnalytics(TODAY, reports, () => now);
}, 240_000);

afterAll(async () => {
  await world?.stop();
});

describe('site pages in a browser', () => {
  it('site-writer: stock by lot, a receipt and a loss recorded, the follow-up list, the scorecard', async () => {
    const page = await world.newPage();
    await page.goto(`${world.rt.apiUrl}/`);
    await ready(page, '/', Date.now());
    await world.signIn(page, 'site-writer');

    expect(await open(page, 'Stock', '/stock')).toBeLessThan(READY_MS);
    const lots = page.getByRole('table', { name: /Doses by lot/ });
    const row = lots.getByRole('row', { name: /039K20A/ });
    expect(await row.textContent()).toContain('100');
    expect(await row.textContent()).toContain(`${SOON} (10 days)`);
    await accessible(page);

    const receipt = page.getByRole('form', { name: 'Record a receipt' });
    await receipt.getByLabel('Product (NDC)').fill('80777-0273-10');
    await receipt.getByLabel('Lot number').fill('039K20A');
    await receipt.getByLabel('Doses').fill('20');
    await receipt.getByRole('button', { name: 'Record a receipt' }).click();
    await page.getByRole('status').filter({ hasText: 'Recorded: 20 doses of lot 039K20A' }).waitFor();

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
    await page.getByRole('status').filter({ hasText: 'Recorded: 2 doses of lot 039K20A' }).waitFor();
    expect(await doses.getAttribute('aria-invalid')).toBeNull();
    await shot(page, 'site-stock');

    expect(await open(page, 'Follow-up', '/follow-up')).toBeLessThan(READY_MS);
    const people = page.getByRole('table', { name: /to follow up/ });
    expect(await people.getByRole('row', { name: /GONZALEZ, MARIA/i }).textContent()).toContain('overdue');
    await page.selectOption('#follow-status', 'due');
    await page.waitForURL(/status=due/);
    await ready(page, '/follow-up', Date.now());
    expect(await page.locator('main').textContent()).toContain('Nobody is due');
    await accessible(page);
    await shot(page, 'site-follow-up');

    expect(await open(page, 'Scorecard', '/scorecard')).toBeLessThan(READY_MS);
    const card = page.getByRole('table', { name: /Your site's reporting timeliness/ });
    await card.getByRole('rowheader', { name: 'All time' }).waitFor();
    await accessible(page);
    await shot(page, 'site-scorecard');
    await page.context().close();
  });

  it('site-reader sees stock but no forms', async () => {
    const page = await world.newPage();
    await page.goto(`${world.rt.apiUrl}/`);
    await ready(page, '/', Date.now());
    await world.signIn(page, 'site-reader');
    await open(page, 'Stock', '/stock');
    await page.getByRole('table', { name: /Doses by lot/ }).waitFor();
    expect(await page.getByRole('form').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('read-only');
    await page.context().close();
  });

  it('no script error and no Content-Security-Policy violation on any page', () => {
    expect(world.problems).toEqual([]);
  });
});
