import { addYears, isLastDayOfMonth } from '#platform/dates.ts';
import { type Finding, finding } from '#platform/findings.ts';
import type { Dose } from './fields.ts';

const MAX_AGE_YEARS = 120;

/** Dates against each other and against `today`, the submission's local date: nothing can have happened after it. */
export function checkDates(dose: Partial<Dose>, today: string, out: Finding[]): void {
  const { recip_dob: dob, admin_date: admin } = dose;
  if (dob && dob > today)
    out.push(
      finding('BUSR011', 'recip_dob', 'recip_dob (the date of birth) is in the future. Check the year.'),
    );
  if (admin && admin > today)
    out.push(
      finding(
        'BUSR012',
        'admin_date',
        `admin_date (the administration date) is after today (${today}). Report doses once given, with the day they were given.`,
      ),
    );
  if (dob && admin && admin < dob)
    out.push(
      finding(
        'BUSR005',
        'recip_dob',
        'recip_dob (the date of birth) is after admin_date (the administration date). One of the two dates is wrong.',
      ),
    );
  if (dob && dob < addYears(today, -MAX_AGE_YEARS))
    out.push(
      finding(
        'DQ001',
        'recip_dob',
        `recip_dob (the date of birth) is more than ${MAX_AGE_YEARS} years before today. Check the year of birth.`,
      ),
    );
  if (admin && (admin.endsWith('-01') || admin.endsWith('-15') || isLastDayOfMonth(admin)))
    out.push(
      finding(
        'DQ002',
        'admin_date',
        'admin_date (the administration date) is the 1st, 15th or last day of its month, a day often used when the real date is unknown. If the dose was given on another day, correct it.',
      ),
    );
}
