import * as codes from '#codecs/codesets/index.ts';
import { addYears, daysBetween, isLastDayOfMonth } from '#platform/dates.ts';
import { echo, type Finding, finding } from '#platform/findings.ts';
import { type Dose, IDENTIFYING_FIELDS, NOT_ECHOED, RACE_FIELDS } from './fields.ts';
import { minimumIntervalDays } from './intervals.ts';
import { checkLotNumber } from './lot-number.ts';
import { HISTORICAL_ONLY_CVX, NOT_US_AUTHORIZED_CVX } from './products.ts';
import { EMPTY_FOR_REFUSAL, REQUIRED_FOR_REFUSAL, REQUIRED_FOR_VACCINATION } from './requirements.ts';

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
const MAX_AGE_YEARS = 120;

/**
 * All registry and CDC rules for one normalized dose. Messages name the field and the rule; they repeat a value
 * only where it is not the recipient's (NOT_ECHOED_FIELDS), and then cut short (MAX_ECHO). Pure: the same dose and context always give the same
 * findings, in the same order (field order of the spec, then cross-field rules).
 */
export function validateDose(dose: Partial<Dose>, ctx: ValidationContext): Finding[] {
  const out: Finding[] = [];
  const refusal = dose.vax_refusal === 'YES';
  checkPresence(dose, refusal, out, ctx.filledLater);
  checkValueSets(dose, out);
  checkDates(dose, ctx, out);
  checkAddresses(dose, out, ctx.filledLater);
  if (!refusal) {
    checkProduct(dose, out, ctx.historical ?? false);
    checkLot(dose, out, ctx.historical ?? false);
    if (ctx.earlierDoses?.length) out.push(...intervalFindings(dose, ctx.earlierDoses));
  } else if (dose.cvx) checkCvx(dose.cvx, dose.admin_date, out, { refusal: true });
  return out;
}

/** Fields CDC does not require but the registries do: people are matched by name. */
const REGISTRY_ONLY_REQUIRED: ReadonlySet<string> = new Set(['recip_first_name', 'recip_last_name']);
const DEIDENTIFIED_EXTRACTS: ReadonlySet<string> = new Set(['D', 'P']);

function checkPresence(
  dose: Partial<Dose>,
  refusal: boolean,
  out: Finding[],
  filledLater?: ReadonlySet<string>,
): void {
  const required = refusal ? REQUIRED_FOR_REFUSAL : REQUIRED_FOR_VACCINATION;
  const deidentified = dose.ext_type !== undefined && DEIDENTIFIED_EXTRACTS.has(dose.ext_type);
  for (const field of required) {
    if (dose[field] !== undefined || filledLater?.has(field)) continue;
    if (REGISTRY_ONLY_REQUIRED.has(field)) {
      // In a de-identified record CDC's DATA006 already says the name must be "Redacted".
      if (!deidentified)
        out.push(
          finding(
            'DQ027',
            field,
            `${field} is required: the registry matches people by name. Fill it in and send the dose again.`,
          ),
        );
    } else if (refusal)
      out.push(
        finding('REQD002', field, `${field} is required for a refusal. Fill it in and send the dose again.`),
      );
    else
      out.push(
        finding(
          'REQD001',
          field,
          `${field} is required for an administered dose. Fill it in and send the dose again.`,
        ),
      );
  }
  if (refusal) {
    for (const field of EMPTY_FOR_REFUSAL) {
      if (dose[field] !== undefined)
        out.push(
          finding(
            'DNTS002',
            field,
            `${field} must be empty when vax_refusal is YES: a refused vaccine has no product, lot, site, route or dose number.`,
          ),
        );
    }
  }
  checkExtract(dose, deidentified, out);
  checkIdentifiers(dose, out);
}

const WHITESPACE = /\s/;
const VTRCKS_PIN = /^[0-9A-Za-z]{0,6}$/;

/** CDC's formats for the patient ID and the VTrckS PIN (DATA005). */
function checkIdentifiers(dose: Partial<Dose>, out: Finding[]): void {
  // We send CDC a keyed hash of recip_id, never the ID itself, so a space in it only warns.
  if (dose.recip_id !== undefined && WHITESPACE.test(dose.recip_id))
    out.push(
      finding(
        'DATA005',
        'recip_id',
        'recip_id contains a space, which CDC would refuse; we send CDC a coded ID instead, so it is accepted.',
        'warning',
      ),
    );
  if (dose.vtrcks_prov_pin !== undefined && !VTRCKS_PIN.test(dose.vtrcks_prov_pin))
    out.push(
      finding(
        'DATA005',
        'vtrcks_prov_pin',
        'vtrcks_prov_pin must be the VTrckS PIN: up to 6 letters or digits.',
      ),
    );
}

/** The extract fields: ext_type, pprl_id only with P, and the Redacted model's literal "Redacted". */
function checkExtract(dose: Partial<Dose>, deidentified: boolean, out: Finding[]): void {
  const ext = dose.ext_type;
  if (ext !== undefined && !deidentified && ext !== 'I')
    out.push(finding('DATA005', 'ext_type', `ext_type ${echo(ext)} must be D, P or I (or left out).`));
  if (ext === 'P' && dose.pprl_id === undefined)
    out.push(finding('DATA004', 'pprl_id', 'ext_type is P, so CDC expects a pprl_id; we do not send one.'));
  else if (ext !== 'P' && dose.pprl_id !== undefined)
    out.push(
      finding(
        'DATA004',
        'pprl_id',
        'pprl_id is only for ext_type P; CDC would refuse it here. It is stored but never sent to CDC.',
      ),
    );
  if (!deidentified) return;
  for (const field of IDENTIFYING_FIELDS) {
    const v = dose[field];
    if (v === undefined || v.toUpperCase() !== 'REDACTED')
      out.push(
        finding(
          'DATA006',
          field,
          `ext_type is ${ext} (de-identified), so ${field} must be the word "Redacted"${v === undefined ? '; it is empty' : ''}.`,
        ),
      );
  }
}

type Lookup = (code: string) => unknown;
const VALUE_SETS: [keyof Dose, Lookup, string][] = [
  ['recip_sex', codes.sex, 'M, F or U'],
  ...RACE_FIELDS.map((f): [keyof Dose, Lookup, string] => [
    f,
    codes.race,
    'a race code such as 2106-3 (White), 2054-5 (Black or African American), 2028-9 (Asian), UNK or POL',
  ]),
  [
    'recip_ethnicity',
    codes.ethnicity,
    '2135-2 (Hispanic or Latino), 2186-5 (Not Hispanic or Latino), UNK or POL',
  ],
  ['recip_address_state', codes.state, 'a two-letter USPS state code such as CA'],
  ['admin_address_state', codes.state, 'a two-letter USPS state code such as CA'],
  ['recip_address_county', codes.county, 'a 5-digit county FIPS code such as 06037'],
  ['admin_address_county', codes.county, 'a 5-digit county FIPS code such as 06037'],
  ['vax_admin_site', codes.bodySite, 'an HL7 0163 body site such as LD (left deltoid) or RA (right arm)'],
  ['vax_route', codes.route, 'C28161 (intramuscular) or an HL7 0162 route such as IM'],
  ['dose_num', codes.doseNumber, 'a dose number from the CVRS list (1–9 or UNK)'],
  ['vax_series_complete', codes.yesNoUnk, 'YES, NO or UNK'],
  ['admin_type', codes.adminType, 'a CVRS admin_type from 1 to 28'],
  ['vax_refusal', codes.yesNo, 'YES or NO'],
  ['cmorbid_status', codes.yesNoUnk, 'YES, NO or UNK'],
  ['serology', codes.yesNoUnk, 'YES, NO or UNK'],
];

/** CDC's RACE set (recip_race_2 to _6) has no UNK or POL: those say something only about the first race. */
const RACE_1_ONLY: ReadonlySet<string> = new Set(['UNK', 'POL']);

function checkValueSets(dose: Partial<Dose>, out: Finding[]): void {
  for (const [field, lookup, expected] of VALUE_SETS) {
    const v = dose[field];
    if (v === undefined) continue;
    const entry = lookup(v);
    const named = NOT_ECHOED.has(field) ? field : `${field} ${echo(v)}`;
    if (!entry) out.push(finding('DATA007', field, `${named} is not an accepted code. Use ${expected}.`));
    // We take the registries' wider tables (legacy race codes, HL7 routes and sites); CDC's value sets do not.
    else if (isOutsideCdcSet(field, v, entry))
      out.push(
        finding(
          'DATA007',
          field,
          `${named} is accepted here but is not in CDC's value set, so the dose will not go to CDC until it is corrected. Use ${expected}.`,
          'warning',
        ),
      );
  }
}

function isOutsideCdcSet(field: string, code: string, entry: unknown): boolean {
  if (field !== 'recip_race_1' && field.startsWith('recip_race_') && RACE_1_ONLY.has(code)) return true;
  return typeof entry === 'object' && entry !== null && 'cvrs' in entry && entry.cvrs === false;
}

function checkDates(dose: Partial<Dose>, ctx: ValidationContext, out: Finding[]): void {
  const { recip_dob: dob, admin_date: admin } = dose;
  if (dob && dob > ctx.today)
    out.push(
      finding('BUSR011', 'recip_dob', 'recip_dob (the date of birth) is in the future. Check the year.'),
    );
  if (admin && admin > ctx.today)
    out.push(
      finding(
        'BUSR012',
        'admin_date',
        `admin_date (the administration date) is after today (${ctx.today}). Report doses once given, with the day they were given.`,
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
  if (dob && dob < addYears(ctx.today, -MAX_AGE_YEARS))
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

/** CDC's address rules, each with the recipient's code and the administering site's. */
const ADDRESSES = [
  {
    whose: 'the recipient',
    state: 'recip_address_state',
    county: 'recip_address_county',
    zip: 'recip_address_zip',
    countyInState: 'BUSR001',
    zipInState: 'BUSR003',
    zipNeedsState: 'BUSR007',
    zipNeedsCounty: 'BUSR009',
  },
  {
    whose: 'the administering site',
    state: 'admin_address_state',
    county: 'admin_address_county',
    zip: 'admin_address_zip',
    countyInState: 'BUSR002',
    zipInState: 'BUSR004',
    zipNeedsState: 'BUSR008',
    zipNeedsCounty: 'BUSR010',
  },
] as const;

function checkAddresses(dose: Partial<Dose>, out: Finding[], filledLater?: ReadonlySet<string>): void {
  for (const a of ADDRESSES) {
    const zip = dose[a.zip];
    const st = dose[a.state];
    const county = dose[a.county];
    if (zip && !st && !filledLater?.has(a.state))
      out.push(
        finding(
          a.zipNeedsState,
          a.zip,
          `${a.zip} is given, so CDC expects ${a.state} (${a.whose}'s state) too.`,
        ),
      );
    if (zip && !county && !filledLater?.has(a.county))
      out.push(
        finding(
          a.zipNeedsCounty,
          a.zip,
          `${a.zip} is given, so CDC expects ${a.county} (${a.whose}'s county FIPS code) too.`,
        ),
      );
    if (!st || !codes.state(st)) continue;
    const c = county ? codes.county(county) : undefined;
    // The recipient's county and ZIP are parts of an address: the message names the fields, not the codes.
    const mine = NOT_ECHOED.has(a.county);
    if (c && c.state !== st)
      out.push(
        finding(
          a.countyInState,
          a.county,
          mine
            ? `${a.county} is not a county of ${st} (${a.state}). Check the county code or the state.`
            : `County ${county} (${c.name}, ${c.state}) is not in ${st}. Check the county code or the state.`,
        ),
      );
    if (zip && !codes.zipInState(zip, st))
      out.push(
        finding(
          a.zipInState,
          a.zip,
          mine
            ? `${a.zip} is not a ZIP code of ${st} (${a.state}). Check the ZIP code or the state.`
            : `ZIP code ${zip} is not in ${st}. Check the ZIP code or the state.`,
        ),
      );
  }
}

function checkCvx(
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

function checkProduct(dose: Partial<Dose>, out: Finding[], historical: boolean): void {
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

function checkLot(dose: Partial<Dose>, out: Finding[], historical: boolean): void {
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
