import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSite } from '../fixtures/doses.ts';
import { doseFile } from '../fixtures/files.ts';
import { ADMIN_KEY, type Client, client, enroll } from '../integration/harness.ts';
import {
  accessible,
  type ConsoleWorld,
  openFromNav,
  READY_MS,
  ready,
  shot,
  startConsole,
} from './harness.ts';

let world: ConsoleWorld;
let api: Client;
let siteKey: string;
let otherUploadName: string;
// Rows 2, 3 and 5 are good doses; row 4 was given before the person was born.
const FILE = doseFile(['valid', 'valid', 'invalid', 'valid'], 'csv', 'WEB');

beforeAll(async () => {
  world = await startConsole();
  api = client(world.rt);
  const enrolled = await api.call('POST', '/v1/sites', { body: demoSite, key: ADMIN_KEY });
  expect(enrolled.status).toBe(201);
  siteKey = enrolled.json.api_key;
  // Another site's upload, which the demo site's staff must never see.
  const other = await enroll(api);
  otherUploadName = `other-${other.iis_id}.csv`;
  const up = await api.call('POST', '/v1/uploads', { key: other.api_key, body: { name: otherUploadName } });
  expect(up.status).toBe(201);
}, 240_000);

afterAll(async () => {
  await world?.stop();
});

describe('site staff in a browser', () => {
  it('drop a file, watch it finish, filter its findings, fix the rejected row and send it again', async () => {
    const page = await world.signedInPage('site-writer');
    expect(await openFromNav(page, 'Uploads', '/uploads')).toBeLessThan(READY_MS);
    expect(await page.locator('main').textContent()).not.toContain(otherUploadName);
    await accessible(page);
    await shot(page, 'uploads-1-empty');

    // A drop on the zone, as a person drags the file from their desktop.
    const dataTransfer = await page.evaluateHandle((text) => {
      // Runs in the page (the tests' own types have no DOM).
      const w = globalThis as unknown as {
        DataTransfer: new () => { items: { add(f: unknown): void } };
        File: new (parts: string[], name: string, o: { type: string }) => unknown;
      };
      const dt = new w.DataTransfer();
      dt.items.add(new w.File([text], 'clinic-web.csv', { type: 'text/csv' }));
      return dt;
    }, FILE);
    const start = Date.now();
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
    await page.waitForURL(/\/upload\?id=/);
    expect(await ready(page, '/upload', start)).toBeLessThan(READY_MS);
    await page.locator('#upload-state', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
    const main = page.locator('main');
    const summary = await main.textContent();
    expect(summary).toMatch(/Accepted\s*3/);
    expect(summary).toMatch(/Rejected\s*1/);
    const findings = page.getByRole('table', { name: /Rows with findings: 1/ });
    await findings.waitFor();
    expect(await findings.textContent()).toContain('WEB-2');
    await page.getByRole('link', { name: 'Download the results file' }).waitFor();
    await accessible(page);
    await shot(page, 'uploads-2-done');

    // The filter by code: the rejected row's code keeps it; the results file's codes are the choices.
    const codes = await page.locator('#finding-code option').allTextContents();
    expect(codes.length).toBeGreaterThan(1);
    const code = (await page.locator('#finding-code option').nth(1).getAttribute('value'))!;
    expect(code).toBe('BUSR005');
    await page.selectOption('#finding-code', code);
    await page.getByRole('table', { name: new RegExp(`Rows with ${code}: 1`) }).waitFor();

    // The list shows it, with its counts.
    await openFromNav(page, 'Uploads', '/uploads');
    const list = page.getByRole('table', { name: /uploads of CAIRDEMO01/ });
    expect(await list.getByRole('row', { name: /clinic-web\.csv/ }).textContent()).toMatch(/completed.*3.*1/);
    await page.getByRole('link', { name: 'clinic-web.csv' }).click();
    await ready(page, '/upload', Date.now());

    // Fix row 4: the form has the row's values (this tab sent the file) and the finding beside its field.
    let t = Date.now();
    await page.getByRole('link', { name: 'Fix row 4' }).click();
    expect(await ready(page, '/submit', t)).toBeLessThan(READY_MS);
    const adminDate = page.getByLabel(/^Date given/);
    expect(await adminDate.inputValue()).toBe('1950-06-07');
    expect(await page.getByLabel(/^Vaccination event ID/).inputValue()).toBe('WEB-2');
    // The row's errors name the date of birth (after the dose) and the CVX (not yet available then).
    const dob = page.getByLabel(/^Date of birth/);
    expect(await dob.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel(/^Vaccine \(CVX code\)/).getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await dob.getAttribute('aria-describedby'))!.split(' ');
    expect(describedBy[0]).toBe('h-recip_dob');
    const message = await page.locator(`[id="${describedBy.at(-1)}"]`).textContent();
    expect(message).toContain('BUSR005');
    expect(await page.getByRole('alert').textContent()).toContain('Row 4 was rejected');
    await accessible(page);
    await shot(page, 'uploads-3-fix-row');

    // Sent as it was: refused again, the API's finding beside the same field.
    await page.getByRole('button', { name: 'Send the fixed dose' }).click();
    await page.getByRole('alert').filter({ hasText: 'The dose was rejected' }).waitFor();
    expect(await dob.getAttribute('aria-invalid')).toBe('true');
    // Fixed: accepted, and stored for the site.
    await adminDate.fill('2021-03-10');
    t = Date.now();
    await page.getByRole('button', { name: 'Send the fixed dose' }).click();
    await page.getByRole('status').filter({ hasText: 'Dose WEB-2 was accepted' }).waitFor();
    expect(Date.now() - t).toBeLessThan(READY_MS);
    expect(await dob.getAttribute('aria-invalid')).toBeNull();
    expect(await dob.getAttribute('aria-describedby')).toBe('h-recip_dob');
    await accessible(page);
    await shot(page, 'uploads-4-fixed');
    const stored = await api.call('GET', '/v1/doses/WEB-2', { key: siteKey });
    expect(stored.status).toBe(200);
    expect(stored.json.dose.admin_date).toBe('2021-03-10');
    await page.context().close();
  });

  it('a read-only person follows uploads but has no drop zone and cannot submit', async () => {
    const page = await world.signedInPage('site-reader');
    expect(await openFromNav(page, 'Uploads', '/uploads')).toBeLessThan(READY_MS);
    expect(await page.locator('#drop-zone').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('read-only');
    await page.getByRole('link', { name: 'clinic-web.csv' }).waitFor();
    await openFromNav(page, 'Submit a dose', '/submit');
    expect(await page.locator('form.dose-form').count()).toBe(0);
    await accessible(page);
    await shot(page, 'uploads-5-read-only');
    await page.context().close();
  });

  it('no script error and no Content-Security-Policy violation on any page', () => {
    expect(world.problems).toEqual([]);
  });
});
