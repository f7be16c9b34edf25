/**
 * What a site reported against the consolidated record (issue 14): a site sees only its own doses, so its
 * dose_num and vax_series_complete can disagree with what every site's doses together say. Warnings only (codes
 * PER001–PER004, shared/platform/rules/persons.ts): the record may lack doses the site knows of. Messages name
 * sites and dose dates, never the person.
 */
import { evaluate } from './consolidate.ts';
import { progress } from './forecast.ts';
import type { PersonDose, RecordCheck, RecordDose } from './types.ts';

const key = (r: { iis_id: string; vax_event_id: string }) => `${r.iis_id}\u0000${r.vax_event_id}`;

const at = (d: RecordDose) => `${d.admin_date} (site ${d.iis_id})`;

/** Warnings for each of `reported` (a site's own reports) that disagrees with `record`. */
export function recordChecks(record: readonly RecordDose[], reported: readonly PersonDose[]): RecordCheck[] {
  const index = new Map<string, number>();
  for (const [i, d] of record.entries()) for (const r of d.reported_by) index.set(key(r), i);
  const detail = evaluate(record);
  const out: RecordCheck[] = [];
  for (const r of reported) {
    const i = index.get(key(r));
    if (i === undefined || r.refusal) continue;
    const dose = record[i]!;
    const ev = dose.evaluation;
    const check = (code: string, field: RecordCheck['field'], message: string) =>
      out.push({ iis_id: r.iis_id, vax_event_id: r.vax_event_id, code, field, message });

    const sc = r.vax_series_complete?.trim().toUpperCase();
    const p = progress(record, i + 1);
    if (sc === 'YES' && p && !p.complete) {
      const had = p.doses.map((d) => `dose ${d.evaluation.series_dose} on ${at(d)}`).join(', ');
      check(
        'PER001',
        'vax_series_complete',
        `vax_series_complete is YES, but with the dose of ${dose.admin_date} the record has ${p.count} of the ${p.series.doses} valid doses of the ${p.series.label} (${had}). Report NO, or report the person's missing earlier doses as historical if they had them.`,
      );
    }
    if (sc === 'NO' && p?.complete && ev.valid) {
      const had = p.doses.map((d) => `dose ${d.evaluation.series_dose} on ${at(d)}`).join(', ');
      check(
        'PER004',
        'vax_series_complete',
        `vax_series_complete is NO, but with the dose of ${dose.admin_date} the ${p.series.label} is complete on the record (${had}). Report YES.`,
      );
    }

    const num = r.dose_num?.trim();
    if (
      num &&
      /^\d+$/.test(num) &&
      ev.valid &&
      ev.series_dose !== undefined &&
      Number(num) !== ev.series_dose
    ) {
      const reportedNum = Number(num);
      const earlier = record
        .slice(0, i)
        .find((d) => d.evaluation.valid && d.evaluation.series_dose === reportedNum);
      const why = earlier
        ? `the record already has a valid dose ${reportedNum} on ${at(earlier)}`
        : `the record has ${ev.series_dose - 1} valid dose${ev.series_dose === 2 ? '' : 's'} before it`;
      const fix = earlier
        ? `Report dose_num ${ev.series_dose}, or tell the registry if that earlier dose is not this person's.`
        : `Report dose_num ${ev.series_dose}, or report the person's missing earlier doses as historical if they had them.`;
      check(
        'PER002',
        'dose_num',
        `dose_num is ${reportedNum}, but ${why}: the dose of ${dose.admin_date} is dose ${ev.series_dose} (${ev.series}). ${fix}`,
      );
    }

    const early = detail[i]?.too_early;
    if (early) {
      const { minimum_days, grace_days } = early.interval;
      const counts = minimum_days - grace_days;
      check(
        'PER003',
        'admin_date',
        early.days < 1
          ? `admin_date ${dose.admin_date} is the same day as dose ${early.previous_dose} reported by site ${early.previous.iis_id}, so this dose does not count. Check admin_date and the product; if it is a report of the same dose, send the same product and lot.`
          : `admin_date ${dose.admin_date} is ${early.days} days after dose ${early.previous_dose} on ${early.previous.admin_date} (site ${early.previous.iis_id}); dose ${early.dose} counts from ${counts} days (minimum ${minimum_days}, less the ${grace_days}-day grace period; rule ${early.rule.id}), so it does not count and dose ${early.dose} is still due. Check admin_date; if it is right, the series needs another dose.`,
      );
    }
  }
  return out;
}
