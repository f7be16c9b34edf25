import { cvrsRecord } from '#codecs/cvrs/file.ts';
import type { ChangeMessage } from '#doses/messages.ts';
import { getVersion } from '#doses/store.ts';
import { getSecret } from '#platform/aws/secrets.ts';
import { SECRET_ENV } from '#platform/env-names.ts';
import { addDays, reportDay } from './day.ts';
import { dayStatus, stageChange } from './store.ts';

/**
 * Staging of one stored change for the CDC report. The change belongs to the report day on which it arrived
 * on the CDC queue; if that day's report has closed, to the first day still open. The report closes a day and
 * then waits CLOSE_GRACE_SECONDS before reading it, longer than any stager can take from its "is it open?"
 * check to its write (MAX_CHECK_TO_WRITE_MS, enforced here), so a change is either in the day the report reads
 * or in a later one, never in both and never in none.
 */
export const MAX_CHECK_TO_WRITE_MS = 10_000;

export interface StageDeps {
  now: () => Date;
  isClosed: (day: string) => Promise<boolean>;
}

/** Closed days stay closed: remembered for the container's life. Open days are asked every time. */
const closedDays = new Set<string>();

export const defaultStageDeps: StageDeps = {
  now: () => new Date(),
  async isClosed(day) {
    if (closedDays.has(day)) return true;
    const closed = (await dayStatus(day)).closedAt !== undefined;
    if (closed) closedDays.add(day);
    return closed;
  },
};

export type StageResult = { kind: 'staged' | 'already-staged'; day: string } | { kind: 'missing' };

export async function stageMessage(
  msg: ChangeMessage,
  arrivedAt: Date,
  deps: StageDeps = defaultStageDeps,
): Promise<StageResult> {
  const version = await getVersion(msg.iis_id, msg.vax_event_id, msg.version);
  if (!version) return { kind: 'missing' };
  const secret = await getSecret(SECRET_ENV.cdcRecipientKey);
  const line = cvrsRecord({ ...version.dose, iis_id: version.iis_id }, secret).join('\t');
  for (;;) {
    const checkedAt = deps.now().getTime();
    let day = reportDay(arrivedAt);
    while (await deps.isClosed(day)) day = addDays(day, 1);
    // A check that took too long cannot vouch for the day any more: ask again.
    if (deps.now().getTime() - checkedAt > MAX_CHECK_TO_WRITE_MS) continue;
    const kind = await stageChange({
      iis_id: version.iis_id,
      vax_event_id: version.vax_event_id,
      version: version.version,
      action: version.action,
      day,
      line,
    });
    return { kind, day };
  }
}
