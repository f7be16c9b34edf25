import { localDate } from '#platform/dates.ts';
import { conditions } from './conditions.ts';
import { cdcDays } from './days.ts';
import { nightlyJobs, nightlyRuns } from './nightly.ts';
import { queueDepths } from './queues.ts';
import { registriesHealth } from './registries.ts';
import { uploadsHealth } from './uploads.ts';

const pacificHour = (at: Date) =>
  Number(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Los_Angeles',
      hour: 'numeric',
      hourCycle: 'h23',
    }).format(at),
  );

/** GET /v1/health: everything read at once; counts, ids and states only (no dose, no person). */
export async function healthSnapshot(now: Date) {
  const today = localDate(now);
  const [registries, queues, uploads, cdc, nightly] = await Promise.all([
    registriesHealth(now),
    queueDepths(),
    uploadsHealth(now),
    cdcDays(today),
    nightlyRuns(today),
  ]);
  const alarms = conditions({
    today,
    hour: pacificHour(now),
    registries,
    cdc,
    nightly: { rollup: nightly.rollup.day, analytics: nightly.analytics.day },
  });
  return {
    at: now.toISOString(),
    today,
    registries,
    queues,
    uploads,
    cdc,
    nightly: nightlyJobs(nightly, alarms),
    alarms,
  };
}
