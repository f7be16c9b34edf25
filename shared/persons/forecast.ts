/**
 * What is due next for a person's COVID-19 series (issue 14), from the evaluated record: the series the first
 * valid dose started, counted in valid doses only, so a dose given too early is still asked for, counted from the
 * last valid dose. Scheduling uses the recommended interval; the grace period only moves `earliest` (the first
 * day a dose would count), never `due`.
 */
import { addDays } from '#platform/dates.ts';
import { SERIES_RULES, type SeriesId, type SeriesRule } from './series.ts';
import type { Forecast, RecordDose } from './types.ts';

export interface Progress {
  series: SeriesRule;
  /** Valid doses of the series (additional doses left out). */
  count: number;
  complete: boolean;
  /** The last valid dose of the series. */
  last: RecordDose;
  /** The valid doses of the series, in order. */
  doses: RecordDose[];
}

const isSeriesId = (s: string | undefined): s is SeriesId => s !== undefined && s in SERIES_RULES;

/** How far the series is in `record` (only its first `upTo` doses, when given); undefined before a valid dose. */
export function progress(record: readonly RecordDose[], upTo = record.length): Progress | undefined {
  let series: SeriesRule | undefined;
  const doses: RecordDose[] = [];
  for (const d of record.slice(0, upTo)) {
    const ev = d.evaluation;
    if (!ev.valid || ev.series_dose === undefined || !isSeriesId(ev.series)) continue;
    series ??= SERIES_RULES[ev.series];
    if (ev.series !== series.id || ev.series_dose > series.doses) continue;
    doses.push(d);
  }
  const last = doses.at(-1);
  if (!series || !last) return undefined;
  return { series, count: doses.length, complete: doses.length >= series.doses, last, doses };
}

export function forecast(record: readonly RecordDose[], asOf: string): Forecast {
  const p = progress(record);
  if (!p) return { status: 'not_started' };
  if (p.complete) return { series: p.series.id, status: 'complete' };
  const next = p.count + 1;
  const interval = p.series.intervals[next];
  // The series' product: the CVX of its first dose when that is one of the series' own (not 213).
  const product = p.doses.map((d) => d.cvx).find((c) => c !== undefined && p.series.cvx.includes(c));
  const cvx = product && p.series.id !== 'unspecified-primary' ? { cvx: product } : {};
  if (!interval) return { series: p.series.id, status: 'due', next_dose: next, ...cvx };
  const from = p.last.admin_date;
  const earliest = addDays(from, interval.minimum_days - interval.grace_days);
  const due = addDays(from, interval.recommended_days);
  const overdue_after = addDays(from, interval.overdue_after_days);
  const status = asOf < due ? 'not_yet_due' : asOf > overdue_after ? 'overdue' : 'due';
  return { series: p.series.id, status, next_dose: next, earliest, due, overdue_after, ...cvx };
}
