import { CVRS_FIELDS, type Dose } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { validateDose } from '#doses/validate.ts';
import { type Finding, finding } from '#platform/findings.ts';

/**
 * Our own check of each record before a CDC file leaves (Redacted model, ext_type D): a record that fails is
 * held back rather than refused by CDC. It is built from the pipeline's rules, not from CDC's validator, on
 * purpose: the Clearinghouse stand-in judges with CDC's rules (local/standins/clearinghouse-judge.ts), so a
 * misunderstanding here is caught there as a refused record. Pure.
 *
 * Only findings with CDC's codes (REQD, DNTS, DATA, BUSR) count, at CDC's level: the registries' data-quality
 * rules (DQ) decided at intake whether a dose is kept, and CDC does not apply them; DQ029, a character no file
 * carries, is the one exception. Messages never carry a name, street, city or date of birth.
 */

const CDC_CODE = /^(REQD|DNTS|DATA|BUSR)/;
/**
 * Not CDC's rule but a record CDC cannot read: a control character, noncharacter or lone surrogate (DQ029) in a
 * value of a dose stored before intake refused them. CDC's reader takes NUL as an escape (a TAB after it stays in
 * the cell, so cells merge), and UTF-8 has no lone surrogate. Held back like CDC's errors.
 */
const UNREADABLE = 'DQ029';
const CDC_WARNINGS: ReadonlySet<string> = new Set(['BUSR007', 'BUSR008', 'BUSR009', 'BUSR010']);

/** A record's values as a dose, by CVRS_FIELDS order; empty values are absent. Values are taken as written. */
export function recordToDose(values: readonly string[]): Partial<Dose> {
  const dose: Partial<Record<string, string>> = {};
  CVRS_FIELDS.forEach((field, i) => {
    const v = values[i];
    if (v !== undefined && v !== '') dose[field] = v;
  });
  return dose as Partial<Dose>;
}

/**
 * The errors CDC would report for one record of a Redacted (ext_type D) file; empty when it may be sent.
 * Codes are compared case-insensitively (as CDC does); dates must be YYYY-MM-DD.
 */
export function checkCvrsRecord(values: readonly string[], today: string): Finding[] {
  // We build every record from CVRS_FIELDS, so another length is our bug, not the dose's.
  if (values.length !== CVRS_FIELDS.length)
    throw new Error(`A CVRS record has ${CVRS_FIELDS.length} values, not ${values.length}`);
  // Intake's own reading of the values as written: what it is lenient about (a date in another layout, a ZIP
  // without its hyphen) it reports with CDC's code, which in a file for CDC is CDC's error.
  const { dose, findings } = normalizeDose(recordToDose(values));
  const out: Finding[] = [];
  const reported = new Set<string>();
  const keep = (f: Finding) => {
    if (
      !(CDC_CODE.test(f.code) || f.code === UNREADABLE) ||
      CDC_WARNINGS.has(f.code) ||
      reported.has(f.field)
    )
      return;
    out.push(f.severity === 'error' ? f : { ...f, severity: 'error' });
  };
  for (const f of findings) {
    keep(f);
    reported.add(f.field);
  }
  // Only CDC's own checks decide what CDC gets: the registries' data-quality rules (DQ) were applied at intake.
  for (const f of validateDose(dose, { today })) keep(f);
  // Intake may leave the extract type out (we write it); in a file for CDC it must be there.
  if (dose.ext_type === undefined && !reported.has('ext_type'))
    out.push(finding('DATA005', 'ext_type', 'ext_type is empty; a CVRS record must say D, P or I.'));
  return out;
}
