import { type Finding, finding } from '#platform/findings.ts';
import type { Dose } from './fields.ts';
import { checkLotNumber } from './lot-number.ts';

/** A new administration's lot and expiration, copied from the vial; a historical record may lack both. */
export function checkLot(dose: Partial<Dose>, out: Finding[], historical: boolean): void {
  if (!dose.lot_number) {
    if (!historical)
      out.push(
        finding(
          'DQ006',
          'lot_number',
          'An administered dose needs its lot number. Copy it from the vial or the box.',
        ),
      );
  } else out.push(...checkLotNumber(dose.lot_number));
  if (!dose.vax_expiration) {
    if (!historical)
      out.push(
        finding(
          'DQ006',
          'vax_expiration',
          'An administered dose needs the lot’s expiration date. Copy it from the vial.',
        ),
      );
  } else if (dose.admin_date && dose.admin_date >= dose.vax_expiration)
    out.push(
      finding(
        'DQ007',
        'vax_expiration',
        `admin_date is on or after the lot’s expiration (${dose.vax_expiration}). The dose is recorded; follow up with the recipient as an administration error.`,
      ),
    );
}
