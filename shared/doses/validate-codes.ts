import * as codes from '#codecs/codesets/index.ts';
import { echo, type Finding, finding } from '#platform/findings.ts';
import { type Dose, NOT_ECHOED, RACE_FIELDS } from './fields.ts';

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

/** Every coded field against its table, and against CDC's narrower value set where ours is wider. */
export function checkValueSets(dose: Partial<Dose>, out: Finding[]): void {
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
