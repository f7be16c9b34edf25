import { type ApiAnswer, apiGet } from '../api.ts';
import { californiaToday } from '../today.ts';

const dayBefore = (day: string) => {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

/**
 * A nightly report of the latest California day made: today's if the night's job has run for it (as locally on
 * demand), else yesterday's (the usual morning case). Answers the day with the answer; a 404 for both days is
 * the answer for yesterday.
 */
export async function latestReport<T>(
  path: (day: string) => string,
): Promise<{ day: string; res: ApiAnswer<T> }> {
  const today = californiaToday();
  const res = await apiGet<T>(path(today));
  if (res.ok || res.status !== 404) return { day: today, res };
  const yesterday = dayBefore(today);
  return { day: yesterday, res: await apiGet<T>(path(yesterday)) };
}
