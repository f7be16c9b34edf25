/**
 * Which alarms' conditions the pipeline's own records show now. In AWS the alarms fire from log metric filters
 * (shared/platform/alarms.ts, infra/stack/alarms.ts); locally there is no CloudWatch, and an operator reading
 * the console wants the state either way, so each is derived here from the same records the jobs keep, by the
 * jobs' own deadlines (the schedules in infra/topology.ts). Conditions the records do not show (an ACK for
 * another message) are not listed rather than guessed.
 */
import { ALARMS } from '#platform/alarms.ts';
import { addDays } from '#platform/dates.ts';
import type { CdcDay } from './days.ts';
import type { RegistryHealth } from './registries.ts';

export interface Condition {
  alarm: keyof typeof ALARMS;
  code: string;
  active: boolean;
  detail: string;
}

export interface ConditionInput {
  /** The California day and hour now. */
  today: string;
  hour: number;
  registries: RegistryHealth[];
  cdc: CdcDay[];
  nightly: { rollup: string | null; analytics: string | null };
}

/** The jobs' deadlines, Pacific hours: CDC by 11:00, the roll-up by 06:00, analytics retried at 04:15. */
const CDC_DUE_HOUR = 11;
const ROLLUP_DUE_HOUR = 6;
const ANALYTICS_DUE_HOUR = 5;

export function conditions(x: ConditionInput): Condition[] {
  const yesterday = addDays(x.today, -1);
  const refused = x.registries.filter((r) => r.state !== 'sending' && r.reason === 'security');
  const cdcYesterday = x.cdc.find((d) => d.day === yesterday);
  const heldBack = x.cdc.filter((d) => d.heldBack > 0);
  const behind = (done: string | null, dueHour: number) => x.hour >= dueHour && (done ?? '') < yesterday;
  const c = (alarm: keyof typeof ALARMS, active: boolean, detail: string): Condition => ({
    alarm,
    code: ALARMS[alarm].code,
    active,
    detail,
  });
  return [
    c(
      'registryCredentialsRefused',
      refused.length > 0,
      refused.length
        ? `${refused.map((r) => r.registry).join(', ')} refused our credentials; paused until ${refused[0]!.until}.`
        : 'Every registry accepts our credentials.',
    ),
    c(
      'cdcReportLate',
      x.hour >= CDC_DUE_HOUR && cdcYesterday?.state !== 'uploaded',
      cdcYesterday?.state === 'uploaded'
        ? `${yesterday} was uploaded.`
        : `${yesterday} is ${cdcYesterday?.state ?? 'open'}${x.hour >= CDC_DUE_HOUR ? ' past 11:00' : ' (due by 11:00)'}.`,
    ),
    c(
      'cdcRecordsHeldBack',
      heldBack.length > 0,
      heldBack.length
        ? heldBack.map((d) => `${d.day}: ${d.heldBack}`).join(', ')
        : 'No record held back in the last days.',
    ),
    c(
      'rollupLate',
      behind(x.nightly.rollup, ROLLUP_DUE_HOUR),
      `Last roll-up: ${x.nightly.rollup ?? 'none'}.`,
    ),
    c(
      'analyticsFailed',
      behind(x.nightly.analytics, ANALYTICS_DUE_HOUR),
      `Last analytics run: ${x.nightly.analytics ?? 'none'}.`,
    ),
  ];
}
