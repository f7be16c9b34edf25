import type { ChangeMessage } from '#doses/messages.ts';
import { sendAll } from '#files/messages.ts';
import { REGISTRIES } from './config.ts';
import { getPause, park, parked, unpark } from './control.ts';

const PAGE = 500;

export { park };

/** Puts a registry's parked messages back on its queue (the first one through is the probe). */
export async function releaseParked(registry: string): Promise<number> {
  let released = 0;
  for (;;) {
    const page: ChangeMessage[] = await parked(registry, PAGE);
    if (page.length === 0) return released;
    await sendAll('registry', page);
    await unpark(registry, page);
    released += page.length;
  }
}

/** For the schedule: registries whose pause is over get their parked messages back, to probe with. */
export async function releaseExpiredPauses(now: Date): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const registry of Object.keys(REGISTRIES)) {
    const pause = await getPause(registry);
    if (pause && pause.until <= now.toISOString()) out[registry] = await releaseParked(registry);
  }
  return out;
}
