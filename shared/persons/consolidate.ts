/**
 * One record of a person's COVID-19 doses from every site that reported them (issue 14).
 *
 * The same dose reported by two systems (the clinic's EHR and a pharmacy chain's, a historical entry copied from
 * a card) is shown once: two reports are the same dose when they have the same administration date and either
 * the same product family (maker; an unspecified product matches any) or the same lot. Reports that are the same
 * dose through a third one are one dose too (connected reports), so the result does not depend on the order the
 * reports come in. Doses without a real date are never collapsed: there is nothing to compare.
 *
 * The shown report is the earliest stored (the first the pipeline heard of); a product or lot it lacks (or its
 * CVX 213 "unspecified") is taken from the next reporters, so the evaluation uses the most that is known.
 *
 * Refusals stay on the record (the HL7 answer lists them, RXA-20 RE) but are never evaluated or counted, and
 * collapse only with refusals.
 */
import { daysBetween, isDay } from '#platform/dates.ts';
import { continues, type DoseInterval, familyOf, intervalFor, productOf, type SeriesRule } from './series.ts';
import type { DoseEvaluation, PersonDose, RecordDose } from './types.ts';

type Reporter = { iis_id: string; vax_event_id: string };

const key = (r: Reporter) => `${r.iis_id}\u0000${r.vax_event_id}`;
const normLot = (lot: string | undefined) => lot?.trim().toUpperCase() || undefined;

function reportersOf(d: PersonDose | RecordDose): readonly Reporter[] {
  const own = { iis_id: d.iis_id, vax_event_id: d.vax_event_id };
  return 'reported_by' in d && Array.isArray(d.reported_by) ? [own, ...d.reported_by] : [own];
}

/** Whether two reports are the same dose (see the module comment). */
export function sameDose(a: PersonDose, b: PersonDose): boolean {
  if (key(a) === key(b)) return true;
  if (!isDay(a.admin_date) || a.admin_date !== b.admin_date) return false;
  if (Boolean(a.refusal) !== Boolean(b.refusal)) return false;
  const lot = normLot(a.lot_number);
  if (lot !== undefined && lot === normLot(b.lot_number)) return true;
  const fa = familyOf(a);
  const fb = familyOf(b);
  return fa === fb || fa === 'unspecified' || fb === 'unspecified';
}

const byStored = (a: PersonDose, b: PersonDose) =>
  a.stored_at.localeCompare(b.stored_at) ||
  a.iis_id.localeCompare(b.iis_id) ||
  a.vax_event_id.localeCompare(b.vax_event_id);

const byDate = (a: PersonDose, b: PersonDose) => a.admin_date.localeCompare(b.admin_date) || byStored(a, b);

/** The shown report of a group (earliest stored) with what it lacks taken from the others. */
function merge(group: readonly PersonDose[]): PersonDose & { reported_by: Reporter[] } {
  const [first, ...rest] = [...group].sort(byStored);
  const {
    reported_by: _r,
    evaluation: _e,
    ...shown
  } = first as PersonDose & {
    reported_by?: unknown;
    evaluation?: unknown;
  };
  const out: PersonDose = { ...shown };
  for (const other of rest) {
    if ((!out.cvx || out.cvx === '213') && other.cvx && other.cvx !== '213') out.cvx = other.cvx;
    if (!out.cvx && other.cvx) out.cvx = other.cvx;
    if (!out.mvx && other.mvx) out.mvx = other.mvx;
    if (!out.ndc && other.ndc) out.ndc = other.ndc;
    if (!out.lot_number && other.lot_number) out.lot_number = other.lot_number;
  }
  const seen = new Set<string>();
  const reported_by: Reporter[] = [];
  for (const d of [first!, ...rest]) {
    for (const r of reportersOf(d)) {
      if (seen.has(key(r))) continue;
      seen.add(key(r));
      reported_by.push({ iis_id: r.iis_id, vax_event_id: r.vax_event_id });
    }
  }
  return { ...out, reported_by };
}

/** Groups of reports of the same dose: connected components of sameDose. */
function groups(doses: readonly PersonDose[]): PersonDose[][] {
  const parent = doses.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < doses.length; i++) {
    for (let j = i + 1; j < doses.length; j++) {
      if (sameDose(doses[i]!, doses[j]!)) parent[find(i)] = find(j);
    }
  }
  const out = new Map<number, PersonDose[]>();
  for (const [i, d] of doses.entries()) {
    const root = find(i);
    out.set(root, [...(out.get(root) ?? []), d]);
  }
  return [...out.values()];
}

/** Why a dose given too early does not count, for the reason and for the PER003 check. */
export interface TooEarly {
  days: number;
  /** The last valid dose of the series before it. */
  previous: PersonDose;
  previous_dose: number;
  /** The dose number it would have been. */
  dose: number;
  interval: DoseInterval;
  /** The rule whose interval applied (the stricter product's, in a mixed series). */
  rule: SeriesRule;
  mixed: boolean;
}

export interface Evaluated {
  evaluation: DoseEvaluation;
  too_early?: TooEarly;
}

/**
 * Evaluates doses in date order against the series rules (series.ts). The series is the one the first valid dose
 * starts; later doses continue it (or are refused with the reason), and doses after it is complete are valid
 * additional doses numbered on.
 */
export function evaluate(sorted: readonly PersonDose[]): Evaluated[] {
  let series: SeriesRule | undefined;
  let count = 0;
  let last: PersonDose | undefined;
  return sorted.map((d): Evaluated => {
    const within = series ? { series: series.id } : {};
    if (d.refusal) return { evaluation: { valid: false, reason: 'refusal: no vaccine was given' } };
    if (!isDay(d.admin_date)) {
      return { evaluation: { valid: false, reason: 'no administration date on record', ...within } };
    }
    const p = productOf(d);
    if (p.kind === 'not_counted') return { evaluation: { valid: false, reason: p.reason, ...within } };
    if (!series || !last) {
      series = p.series;
      count = 1;
      last = d;
      return { evaluation: { valid: true, series_dose: 1, series: series.id } };
    }
    const days = daysBetween(last.admin_date, d.admin_date);
    if (count >= series.doses) {
      if (days < 1) {
        return tooEarly(last, count, series, days, {
          interval: { minimum_days: 1, grace_days: 0, recommended_days: 1, overdue_after_days: 1 },
          rule: series,
          mixed: false,
        });
      }
      count++;
      last = d;
      return {
        evaluation: {
          valid: true,
          series_dose: count,
          series: series.id,
          reason: `additional dose: the ${series.label} was already complete`,
        },
      };
    }
    const n = count + 1;
    if (!continues(series, p)) {
      return {
        evaluation: {
          valid: false,
          series: series.id,
          reason: `${p.name} does not continue the ${series.label}: CDC's mixed series were mRNA only; dose ${n} is still due`,
        },
      };
    }
    const applies = intervalFor(series, n, p);
    if (applies) {
      const { minimum_days, grace_days } = applies.interval;
      if (days < minimum_days - grace_days) return tooEarly(last, count, series, days, applies);
    }
    count = n;
    last = d;
    return { evaluation: { valid: true, series_dose: n, series: series.id } };
  });
}

function tooEarly(
  previous: PersonDose,
  count: number,
  series: SeriesRule,
  days: number,
  applies: { interval: DoseInterval; rule: SeriesRule; mixed: boolean },
): Evaluated {
  const { minimum_days, grace_days } = applies.interval;
  const dose = count + 1;
  const grace =
    grace_days > 0 ? `, ${minimum_days - grace_days} with the ${grace_days}-day grace period` : '';
  const whose = applies.mixed
    ? `a mixed series (${applies.rule.label} interval, the stricter)`
    : `the ${series.label}`;
  const reason =
    count >= series.doses
      ? `given the same day as dose ${count} (${previous.admin_date}); a later dose counts only on a later day`
      : `given ${days} days after dose ${count} (${previous.admin_date}); the minimum for dose ${dose} of ${whose} is ${minimum_days} days${grace} (rule ${applies.rule.id})`;
  return {
    evaluation: { valid: false, series: series.id, reason },
    too_early: { days, previous, previous_dose: count, dose, ...applies },
  };
}

/** The consolidated record: reports of the same dose collapsed, sorted by admin_date, each dose evaluated. */
export function consolidate(doses: readonly PersonDose[]): RecordDose[] {
  const merged = groups(doses).map(merge).sort(byDate);
  const evaluated = evaluate(merged);
  return merged.map((d, i) => ({ ...d, evaluation: evaluated[i]!.evaluation }));
}
