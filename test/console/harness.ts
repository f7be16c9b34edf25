/**
 * What every browser test of the console needs (docs/console.md): the local runtime serving a freshly built
 * console, headless Chromium (Debian's, installed by scripts/ensure-chromium.ts when missing), sign-in at the
 * local OpenID provider's form, the page-ready clock, axe, and screenshots kept in .data/test-artifacts/console/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildConsole } from '#console/build.ts';
import { ensureChromium } from '../../scripts/ensure-chromium.ts';
import { type Runtime, startWithout } from '../integration/harness.ts';

export const ARTIFACTS = resolve('.data/test-artifacts/console');
/** A person waits no longer than this for a page to show its data (issue 16). */
export const READY_MS = 2_000;

export interface ConsoleWorld {
  rt: Runtime;
  browser: Browser;
  /** Failed console loads, script errors and CSP violations seen by any page: a test expects none. */
  problems: string[];
  newPage(): Promise<Page>;
  /** From the console's home page: the provider's form filled in; answers ms until home shows, signed in. */
  signIn(page: Page, username: string): Promise<number>;
  /** A new page at the console's home, signed in as `username`. */
  signedInPage(username: string): Promise<Page>;
  stop(): Promise<void>;
}

/** Starts the runtime (without `without`) serving a console built into a temporary folder, and a browser. */
export async function startConsole(
  without: Parameters<typeof startWithout>[0] = ['registryReporter', 'cdcStager'],
  options: Omit<Parameters<typeof startWithout>[1], 'console'> = {},
): Promise<ConsoleWorld> {
  ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'console-'));
  await buildConsole(dir);
  const rt = await startWithout(without, { ...options, console: { dir } });
  const browser = await chromium.launch({
    executablePath: ensureChromium(),
    headless: true,
    args: ['--no-sandbox'],
  });
  const problems: string[] = [];
  const user = (name: string) => {
    const u = rt.oidc!.users.find((x) => x.username === name);
    if (!u) throw new Error(`no demo user ${name}`);
    return u;
  };
  const world: ConsoleWorld = {
    rt,
    browser,
    problems,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.on('response', (r) => {
        if (r.status() >= 400 && r.url().startsWith(rt.apiUrl) && !r.url().startsWith(`${rt.apiUrl}/v1/`))
          problems.push(`${r.status()} ${r.url()}`);
      });
      page.on('console', (m) => {
        // The API's expected refusals (404 RPT002, 401) are logged by the browser as failed loads: not problems.
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
          problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      return page;
    },
    async signIn(page, username) {
      await page.getByRole('button', { name: 'Sign in' }).first().click();
      await page.waitForURL((u) => u.origin === rt.oidc!.issuer);
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(user(username).password);
      const start = Date.now();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${rt.apiUrl}/`);
      return ready(page, '/', start);
    },
    async signedInPage(username) {
      const page = await world.newPage();
      await page.goto(`${rt.apiUrl}/`);
      await ready(page, '/', Date.now());
      await world.signIn(page, username);
      return page;
    },
    async stop() {
      await browser.close();
      await rt.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Waits for the console's page at `path` to show its data; answers the time since `start`. */
export async function ready(page: Page, path: string, start: number): Promise<number> {
  await page.waitForSelector(`main[data-ready="${path}"]`, { timeout: 10_000 });
  return Date.now() - start;
}

type AxeViolation = { id: string; impact?: string | null; nodes: { target: unknown[] }[] };

/** Follows the main navigation's link `label`; answers ms until the page at `path` shows its data. */
export async function openFromNav(page: Page, label: string, path: string): Promise<number> {
  const start = Date.now();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
  return ready(page, path, start);
}

/** axe on the page as shown: no serious or critical violation. */
export async function accessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((v: AxeViolation) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: AxeViolation) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, 'serious or critical accessibility violations').toEqual([]);
}

/** A full-page screenshot kept as a test artefact (look at them). */
export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
