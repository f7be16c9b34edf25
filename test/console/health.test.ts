/**
 * Program staff and administrators in a real browser (docs/console.md): a registry's stand-in starts refusing
 * our credentials, the reporter pauses it, and Pipeline health shows it paused with why and its parked
 * messages, the alarm's condition active, the queues; site staff are told the page is not theirs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernaDose } from '../fixtures/doses.ts';
import { ADMIN_KEY, type Client, client, enroll } from '../integration/harness.ts';
import { counties } from '../integration/registry-harness.ts';
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

beforeAll(async () => {
  world = await startConsole(['cdcStager'], { registries: {} });
  api = client(world.rt);
  const site = await enroll(api, counties.sanJoaquin);
  // RIDE (San Joaquin's registry) refuses our SOAP credentials: the reporter pauses it and parks the dose.
  world.rt.registries.RIDE!.faults.set({ securityFault: true });
  await api.call('POST', '/v1/doses', { key: site.api_key, body: modernaDose({ vax_event_id: 'PAUSE-1' }) });
  const until = Date.now() + 30_000;
  for (;;) {
    const h = await api.call('GET', '/v1/health', { key: ADMIN_KEY });
    if (h.json.registries.find((r: { registry: string }) => r.registry === 'RIDE').parked === 1) break;
    if (Date.now() > until) throw new Error('RIDE was never paused');
    await new Promise((r) => setTimeout(r, 200));
  }
}, 240_000);

afterAll(async () => {
  world.rt.registries.RIDE?.faults.clear();
  await world?.stop();
});

describe('pipeline health in a browser', () => {
  it.each(['program', 'admin'])(
    '%s sees the registry paused by its stand-in’s refusal, with why',
    async (who) => {
      const page = await world.signedInPage(who);
      expect(await openFromNav(page, 'Pipeline health', '/health')).toBeLessThan(READY_MS);
      const main = page.locator('main');
      expect(await main.textContent()).toContain('RIDE is paused until');
      expect(await main.textContent()).toContain('it refused our credentials');
      expect(await main.textContent()).toContain('1 message is parked');
      const registries = page.getByRole('table', { name: /Each registry/ });
      expect(await registries.getByRole('row', { name: /RIDE/ }).textContent()).toMatch(/paused/i);
      expect(await registries.getByRole('row', { name: /CAIR2/ }).textContent()).toMatch(/sending/i);
      await page
        .getByRole('table', { name: /dead-letter queue/ })
        .getByRole('rowheader', { name: 'To the registries' })
        .waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('REGISTRY_CREDENTIALS_REFUSED');
      expect(await page.getByRole('table', { name: /Uploads by status/ }).textContent()).toContain(
        'Completed',
      );
      expect(
        await page
          .getByRole('table', { name: /nightly job/ })
          .getByRole('row', { name: /Accountability roll-up/ })
          .textContent(),
      ).toContain('none yet');
      await accessible(page);
      await shot(page, `health-${who}`);
      await page.context().close();
    },
  );

  it('site staff are told the page is not for their sign-in', async () => {
    const page = await world.signedInPage('site-writer');
    expect(
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Pipeline health' })
        .count(),
    ).toBe(0);
    await page.goto(`${world.rt.apiUrl}/health`);
    await ready(page, '/health', Date.now());
    expect(await page.locator('main').textContent()).toContain('does not give access');
    await page.context().close();
  });

  it('no script error and no Content-Security-Policy violation on any page', () => {
    expect(world.problems).toEqual([]);
  });
});
