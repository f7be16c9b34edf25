/**
 * The web console in a real browser (docs/console.md): the local runtime serves it, headless Chromium (Debian's,
 * installed by scripts/ensure-chromium.ts when missing) signs in at the local OpenID provider as site staff and
 * as program staff, and each page is checked by axe (no serious or critical violation), timed (ready < 2 s after
 * navigation) and photographed into .data/test-artifacts/console/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalytics } from '#analytics/nightly/run.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { localDate } from '#platform/dates.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';
import { type Client, client, drained, type Runtime } from '../integration/harness.ts';
import { accessible, type ConsoleWorld, READY_MS, ready, shot, startConsole } from './harness.ts';

const now = new Date();
const TODAY = localDate(now);

let world: ConsoleWorld;
let rt: Runtime;
let api: Client;
let siteKey: string;
const newPage = () => world.newPage();
const signIn = (page: Page, username: string) => world.signIn(page, username);

beforeAll(async () => {
  world = await startConsole();
  rt = world.rt;
  api = client(rt);
  const enrolled = await api.call('POST', '/v1/sites', { body: demoSite });
  expect(enrolled.status).toBe(201);
  siteKey = enrolled.json.api_key;
  const posted = await api.call('POST', '/v1/doses', {
    key: siteKey,
    body: modernaDose({ vax_event_id: 'CONSOLE-0001', admin_date: TODAY, vax_expiration: '2099-12-31' }),
  });
  expect(posted.json.results?.[0]?.status ?? posted.json.status, JSON.stringify(posted.json)).toBe(
    'accepted',
  );
  await drained(rt, 'person-changes', 30_000);
  const reports = bucketStore('REPORTS_BUCKET');
  await runRollup(TODAY, reports, () => now);
  await runAnalytics(TODAY, reports, () => now);
}, 240_000);

afterAll(async () => {
  await world?.stop();
});

describe('served at the API’s port, as CloudFront serves it', () => {
  it('the page, its files and config.json carry the security headers; API paths keep API Gateway’s 404', async () => {
    const home = await fetch(`${rt.apiUrl}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = home.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    // The provider's calls and the presigned uploads to the local S3, nothing else.
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src '))!;
    expect(connect.split(' ').sort()).toEqual(
      ['connect-src', "'self'", rt.oidc!.issuer, new URL(rt.endpoints.s3).origin].sort(),
    );
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
    expect(home.headers.get('referrer-policy')).toBe('no-referrer');
    // A page of the console is the same shell; its router draws it.
    expect(await (await fetch(`${rt.apiUrl}/statewide`)).text()).toBe(await home.text());
    const config = await (await fetch(`${rt.apiUrl}/config.json`)).json();
    expect(config).toEqual({ issuer: rt.oidc!.issuer, clientId: 'console' });
    expect((await fetch(`${rt.apiUrl}/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${rt.apiUrl}/nothing.js`)).status).toBe(404);
    expect((await fetch(`${rt.apiUrl}/../package.json`)).status).toBe(404);
    const unknownApi = await fetch(`${rt.apiUrl}/v1/nothing-here`);
    expect(unknownApi.status).toBe(404);
    expect(await unknownApi.json()).toEqual({ message: 'Not Found' });
    expect((await fetch(`${rt.apiUrl}/v1`)).status).toBe(404);
    expect((await fetch(`${rt.apiUrl}/`, { method: 'POST' })).status).toBe(404);
    // The provider sends people back to the console's callback.
    expect(rt.oidc!.redirectUris).toEqual([`${rt.apiUrl}/callback`]);
  });
});

describe('in a browser', () => {
  it('site staff: signed out, sign in, who is signed in, look up a dose, sign out', async () => {
    const page = await newPage();
    let start = Date.now();
    await page.goto(`${rt.apiUrl}/`);
    expect(await ready(page, '/', start)).toBeLessThan(READY_MS);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Dose pipeline console');
    await accessible(page);
    await shot(page, '1-home-signed-out');

    expect(await signIn(page, 'site-writer')).toBeLessThan(READY_MS);
    const main = page.locator('main');
    expect(await main.textContent()).toContain('Site staff (read-write)');
    expect(await main.textContent()).toContain(demoSite.iis_id);
    // The tokens are in sessionStorage, never in localStorage.
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('dp.session'))).toContain('accessToken');
    await accessible(page);
    await shot(page, '2-home-site-writer');

    start = Date.now();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Look up a dose' })
      .click();
    expect(await ready(page, '/dose', start)).toBeLessThan(READY_MS);
    // Focus moves to the new page's heading.
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('H1');
    await page.getByLabel('Vaccination event ID').fill('CONSOLE-0001');
    start = Date.now();
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.waitForURL(/\/dose\?id=CONSOLE-0001$/);
    expect(await ready(page, '/dose', start)).toBeLessThan(READY_MS);
    await page.getByRole('heading', { name: 'Dose CONSOLE-0001' }).waitFor();
    expect(await main.textContent()).toContain('Registry (CAIR2)');
    expect(await main.textContent()).toContain('CDC');
    await accessible(page);
    await shot(page, '3-dose-lookup');

    // A site person has no statewide page.
    await page.goto(`${rt.apiUrl}/statewide`);
    await ready(page, '/statewide', Date.now());
    expect(await main.textContent()).toContain('does not give access');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.origin === rt.oidc!.issuer);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${rt.apiUrl}/`);
    await ready(page, '/', Date.now());
    await page.getByRole('button', { name: 'Sign in' }).first().waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('dp.session'))).toBeNull();
    await page.context().close();
  });

  it('an expired access token is renewed with the refresh token; when that fails too, back to sign-in with a message', async () => {
    const page = await newPage();
    await page.goto(`${rt.apiUrl}/`);
    await ready(page, '/', Date.now());
    await signIn(page, 'site-reader');
    const before = await page.evaluate(() => JSON.parse(sessionStorage.getItem('dp.session')!));
    expect(before.refreshToken).toBeTruthy();
    // Expired: the console renews it at the provider's token endpoint and shows the page.
    await page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('dp.session')!);
      sessionStorage.setItem('dp.session', JSON.stringify({ ...s, expiresAt: Date.now() - 1000 }));
    });
    await page.goto(`${rt.apiUrl}/dose?id=CONSOLE-0001`);
    await ready(page, '/dose', Date.now());
    await page.getByRole('heading', { name: 'Dose CONSOLE-0001' }).waitFor();
    const renewed = await page.evaluate(() => JSON.parse(sessionStorage.getItem('dp.session')!));
    expect(renewed.accessToken).not.toBe(before.accessToken);
    expect(renewed.expiresAt).toBeGreaterThan(Date.now() + 60_000);
    // The provider rotates a public client's refresh token: the old one no longer works.
    expect(renewed.refreshToken).not.toBe(before.refreshToken);
    // Expired, and the refresh token refused (revoked, or past its 8 hours): the session ends.
    await page.evaluate((old) => {
      const s = JSON.parse(sessionStorage.getItem('dp.session')!);
      sessionStorage.setItem(
        'dp.session',
        JSON.stringify({ ...s, expiresAt: Date.now() - 1000, refreshToken: old }),
      );
    }, before.refreshToken);
    await page.goto(`${rt.apiUrl}/dose?id=CONSOLE-0001`);
    await page.waitForURL(`${rt.apiUrl}/`);
    await ready(page, '/', Date.now());
    expect(await page.getByRole('status').textContent()).toContain('Your sign-in has expired');
    await page.getByRole('button', { name: 'Sign in' }).first().waitFor();
    await accessible(page);
    await shot(page, '4-home-expired');
    // A token the API refuses (401) ends the session the same way, with the API's reason. (The provider's own
    // session is still open: signing in again asks for no password.)
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    await page.waitForSelector('#sign-out');
    await ready(page, '/', Date.now());
    await page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('dp.session')!);
      sessionStorage.setItem('dp.session', JSON.stringify({ ...s, accessToken: `${s.accessToken}x` }));
    });
    await page.goto(`${rt.apiUrl}/dose?id=CONSOLE-0001`);
    await page.waitForURL(`${rt.apiUrl}/`);
    await ready(page, '/', Date.now());
    await page.getByRole('status').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).first().waitFor();
    await page.context().close();
  });

  it('program staff: sign in, the statewide scorecard and counties; a day not made yet', async () => {
    const page = await newPage();
    await page.goto(`${rt.apiUrl}/`);
    await ready(page, '/', Date.now());
    expect(await signIn(page, 'program')).toBeLessThan(READY_MS);
    expect(await page.locator('main').textContent()).toContain('Program staff');
    await shot(page, '5-home-program');

    const start = Date.now();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Statewide' }).click();
    expect(await ready(page, '/statewide', start)).toBeLessThan(READY_MS);
    const scorecard = page.getByRole('table', { name: /Reporting timeliness for the state/ });
    await scorecard.waitFor();
    await scorecard.getByRole('rowheader', { name: 'All time' }).waitFor();
    const counties = page.getByRole('table', { name: /by the county of the site/ });
    await counties.getByRole('rowheader', { name: demoSite.admin_address_county as string }).waitFor();
    await accessible(page);
    await shot(page, '6-statewide');

    await page.getByLabel('Day of the figures').fill('2021-01-04');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/date=2021-01-04/);
    await ready(page, '/statewide', Date.now());
    expect(await page.locator('main').textContent()).toContain('have not been made yet');
    await accessible(page);
    await shot(page, '7-statewide-not-made');
    await page.context().close();
  });

  it('no script error and no Content-Security-Policy violation on any page', () => {
    expect(world.problems).toEqual([]);
  });
});
