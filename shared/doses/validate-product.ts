import * as codes from '#codecs/codesets/index.ts';
import { echo, type Finding, finding } from '#platform/findings.ts';
import type { Dose } from './fields.ts';
import { HISTORICAL_ONLY_CVX, NOT_US_AUTHORIZED_CVX } from './products.ts';

/** The CVX: a real COVID-19 vaccine authorized here, in use on admin_date; its entry when it is one. */
export function checkCvx(
  cvx: string,
  admin: string | undefined,
  out: Finding[],
  { refusal = false, historical = false }: { refusal?: boolean; historical?: boolean } = {},
): codes.CvxEntry | undefined {
  if (codes.isPlaceholder('cvx', cvx)) {
    out.push(
      finding(
        'DQ013',
        'cvx',
        `CVX ${cvx} is a CDC test placeholder, not a real vaccine. Use the CVX of the vaccine given.`,
      ),
    );
    return undefined;
  }
  const entry = codes.cvx(cvx);
  if (!entry) {
    const other = codes.isKnownNonCovidCvx(cvx) ? (codes.cvxLabel(cvx) ?? 'another vaccine') : undefined;
    out.push(
      other
        ? finding(
            'DQ012',
            'cvx',
            `CVX ${cvx} (${other}) is not a COVID-19 vaccine. Report only COVID-19 vaccinations here, e.g. CVX 207 (Moderna) or 208 (Pfizer).`,
          )
        : finding(
            'DATA007',
            'cvx',
            `CVX ${echo(cvx)} is not a known vaccine code. Check the CVX on the product, e.g. 208 for Pfizer.`,
          ),
    );
    return undefined;
  }
  if (NOT_US_AUTHORIZED_CVX.has(cvx)) {
    out.push(
      finding(
        'DQ021',
        'cvx',
        `CVX ${cvx} (${entry.label}) is not authorized in the United States, so a California site cannot have given it. Use the CVX of the vaccine given.`,
      ),
    );
    return undefined;
  }
  // A refusal may name the unspecified code (the person refused COVID-19 vaccination, not a product), and so
  // may a historical record: that is what the code is for.
  if (!refusal && !historical && HISTORICAL_ONLY_CVX.has(cvx)) {
    out.push(
      finding(
        'DQ022',
        'cvx',
        `CVX ${cvx} (unspecified formulation) is only for historical records. For a dose your site gave, use the CVX of the product, e.g. 207 (Moderna) or 208 (Pfizer).`,
      ),
    );
    return undefined;
  }
  if (admin && !refusal) checkWindow('cvx', `CVX ${cvx}`, entry, admin, out);
  return entry;
}

function checkWindow(
  field: string,
  what: string,
  entry: { notBefore?: string; notAfter?: string },
  admin: string,
  out: Finding[],
): void {
  const w = codes.productWindow(entry, admin);
  if (w === 'before')
    out.push(
      finding(
        'DQ010',
        field,
        `${what} was not available before ${entry.notBefore}, and admin_date is earlier. Check the product or admin_date.`,
      ),
    );
  else if (w === 'after')
    out.push(
      finding(
        'DQ011',
        field,
        `${what} was no longer in use after ${entry.notAfter}, and admin_date is later. Check the product or admin_date.`,
      ),
    );
}

/** NDC and MVX: real codes that agree with each other and with the CVX, listed for use on admin_date. */
export function checkProduct(dose: Partial<Dose>, out: Finding[], historical: boolean): void {
  const cvxEntry = dose.cvx ? checkCvx(dose.cvx, dose.admin_date, out, { historical }) : undefined;
  let ndcEntry: codes.NdcEntry | undefined;
  if (dose.ndc) {
    if (codes.isPlaceholder('ndc', dose.ndc))
      out.push(
        finding(
          'DQ013',
          'ndc',
          `NDC ${dose.ndc} is a CDC sample code, not a real product. Use the NDC on the vial.`,
        ),
      );
    else {
      ndcEntry = codes.ndc(dose.ndc);
      if (!ndcEntry)
        out.push(
          finding(
            'DATA007',
            'ndc',
            `NDC ${dose.ndc} is not a known COVID-19 vaccine NDC. Check the code on the vial (unit of use).`,
          ),
        );
      else {
        if (ndcEntry.kind === 'sale')
          out.push(
            finding(
              'DQ015',
              'ndc',
              `NDC ${dose.ndc} is the carton (unit of sale) code; the vial (unit of use) code${ndcEntry.unitsOfUse.length ? ` ${ndcEntry.unitsOfUse.join(' or ')}` : ''} is preferred.`,
            ),
          );
        if (dose.cvx && cvxEntry && ndcEntry.cvx !== dose.cvx)
          out.push(
            finding(
              'DQ008',
              'ndc',
              `NDC ${dose.ndc} is CVX ${ndcEntry.cvx}, but the dose says CVX ${dose.cvx}. Correct whichever is wrong.`,
            ),
          );
        if (
          dose.admin_date &&
          codes.productWindow(ndcEntry, dose.admin_date) !== 'in' &&
          codes.productWindow(ndcEntry, dose.admin_date) !== 'not-expected'
        )
          out.push(
            finding(
              'DQ019',
              'ndc',
              `NDC ${dose.ndc} is not listed for use on admin_date (listed ${ndcEntry.notBefore ?? '…'} to ${ndcEntry.notAfter ?? '…'}). Check the NDC on the vial.`,
            ),
          );
      }
    }
  }
  if (dose.mvx) {
    if (codes.isPlaceholder('mvx', dose.mvx))
      out.push(
        finding('DQ013', 'mvx', `MVX ${dose.mvx} is a CDC test placeholder, not a real manufacturer.`),
      );
    else if (!codes.mvx(dose.mvx))
      out.push(
        finding(
          'DATA007',
          'mvx',
          `MVX ${echo(dose.mvx)} is not a known manufacturer code, e.g. MOD (Moderna), PFR (Pfizer).`,
        ),
      );
    else {
      const makers = ndcEntry ? [ndcEntry.mvx] : cvxEntry?.mvx;
      if (makers && makers.length > 0 && !makers.includes(dose.mvx))
        out.push(
          finding(
            'DQ009',
            'mvx',
            `MVX ${dose.mvx} does not make ${ndcEntry ? `NDC ${dose.ndc}` : `CVX ${dose.cvx}`} (made by ${makers.join(' or ')}). Correct the manufacturer or the product.`,
          ),
        );
    }
  }
}
