import { daysBetween } from '#platform/dates.ts';
import { type Finding, finding } from '#platform/findings.ts';
import type { Dose } from './fields.ts';
import { minimumIntervalDays } from './intervals.ts';
import { checkAddresses } from './validate-addresses.ts';
import { checkValueSets } from './validate-codes.ts';
import { checkDates } from './validate-dates.ts';
import { checkLot } from './validate-lot.ts';
import { checkPresence } from './validate-presence.ts';
import { checkCvx, checkProduct } from './validate-product.ts';

export interface EarlierDose {
  admin_date: string;
  cvx?: string;
  mvx?: string;
  vax_event_id: string;
}

export interface ValidationContext {
  /** The submission's local date (America/Los_Angeles): nothing can have happened after it. */
  today: string;
  /** Fields whose absence is not reported: the site's enrollment fills them in later (offline checks). */
  filledLater?: ReadonlySet<string>;
  /** The recipient's other administered doses known to us (stored, or earlier in the same submission). */
  earlierDoses?: readonly EarlierDose[];
  /**
   * The dose is a record of one given elsewhere or earlier (HL7 RXA-9 other than 00), not one the site gave now:
   * the site has no vial to copy a lot and expiration from, and Z22 requires them only for a new administration.
   */
  historical?: boolean;
}

/** Days a dose may come early and still count (CDC grace period); never used for scheduling. */
export const GRACE_DAYS = 4;

/**
 * All registry and CDC rules for one normalized dose. Messages name the field and the rule; they repeat a value
 * only where it is not the recipient's (NOT_ECHOED_FIELDS), and then cut short (MAX_ECHO). Pure: the same dose and context always give the same
 * findings, in the same order (field order of the spec, then cross-field rules). The rules themselves are in
 * validate-*.ts, one file per subject: presence, codes, dates, addresses, product, lot.
 */
export function validateDose(dose: Partial<Dose>, ctx: ValidationContext): Finding[] {
  const out: Finding[] = [];
  const refusal = dose.vax_refusal === 'YES';
  checkPresence(dose, refusal, out, ctx.filledLater);
  checkValueSets(dose, out);
  checkDates(dose, ctx.today, out);
  checkAddresses(dose, out, ctx.filledLater);
  if (!refusal) {
    checkProduct(dose, out, ctx.historical ?? false);
    checkLot(dose, out, ctx.historical ?? false);
    if (ctx.earlierDoses?.length) out.push(...intervalFindings(dose, ctx.earlierDoses));
  } else if (dose.cvx) checkCvx(dose.cvx, dose.admin_date, out, { refusal: true });
  return out;
}

/** The minimum-interval rule against the recipient's other doses (separate: it needs them looked up first). */
export function intervalFindings(dose: Partial<Dose>, earlierDoses: readonly EarlierDose[]): Finding[] {
  const out: Finding[] = [];
  const admin = dose.admin_date;
  if (!admin || dose.vax_refusal === 'YES') return out;
  let previous: EarlierDose | undefined;
  for (const e of earlierDoses) {
    if (e.vax_event_id === dose.vax_event_id || e.admin_date >= admin) continue;
    if (!previous || e.admin_date > previous.admin_date) previous = e;
  }
  if (!previous) return out;
  const interval = minimumIntervalDays(previous, dose);
  if (interval === undefined) return out;
  const gap = daysBetween(previous.admin_date, admin);
  if (gap < interval - GRACE_DAYS)
    out.push(
      finding(
        'DQ014',
        'admin_date',
        `This dose came ${gap} days after the recipient's previous dose; the minimum is ${interval} days (${interval - GRACE_DAYS} with the grace period). The dose is recorded but may need to be repeated.`,
      ),
    );
  return out;
}
