/**
 * The dose form's fields: the CVRS variables a site reports for a dose (the site's own fields, admin_*, come
 * from its enrollment), grouped as a clinic reads them. Every field is a text box so a rejected row's value
 * shows as it was sent, however wrong; the hint says what is expected (docs/doses.md, docs/rules.md).
 */
export interface FieldDef {
  name: string;
  label: string;
  hint?: string;
}

export const DOSE_FIELD_GROUPS: { legend: string; fields: FieldDef[] }[] = [
  {
    legend: 'The dose',
    fields: [
      { name: 'vax_event_id', label: 'Vaccination event ID', hint: 'Your own unique ID for this dose.' },
      { name: 'admin_date', label: 'Date given', hint: 'YYYY-MM-DD.' },
      { name: 'cvx', label: 'Vaccine (CVX code)', hint: 'e.g. 207, 208, 212.' },
      { name: 'ndc', label: 'Product (NDC)', hint: 'e.g. 80777-0273-10.' },
      { name: 'mvx', label: 'Manufacturer (MVX)', hint: 'e.g. MOD, PFR, JSN.' },
      { name: 'lot_number', label: 'Lot number' },
      { name: 'vax_expiration', label: 'Lot expiration', hint: 'YYYY-MM-DD.' },
      { name: 'vax_admin_site', label: 'Body site', hint: 'e.g. LA (left arm), RD (right deltoid).' },
      { name: 'vax_route', label: 'Route', hint: 'NCI code, e.g. C28161 (intramuscular).' },
      { name: 'dose_num', label: 'Dose number', hint: '1, 2, 3 … or UNK.' },
      { name: 'vax_series_complete', label: 'Series complete', hint: 'YES, NO or UNK.' },
      { name: 'vax_refusal', label: 'Refused', hint: 'YES or NO.' },
      { name: 'cmorbid_status', label: 'Comorbidity', hint: 'YES, NO or UNK.' },
      { name: 'serology', label: 'Serology', hint: 'YES, NO or UNK.' },
    ],
  },
  {
    legend: 'The person vaccinated',
    fields: [
      { name: 'recip_id', label: 'Recipient ID', hint: 'Your ID for the person.' },
      { name: 'recip_first_name', label: 'First name' },
      { name: 'recip_middle_name', label: 'Middle name' },
      { name: 'recip_last_name', label: 'Last name' },
      { name: 'recip_dob', label: 'Date of birth', hint: 'YYYY-MM-DD.' },
      { name: 'recip_sex', label: 'Sex', hint: 'F, M, O or U.' },
      { name: 'recip_race_1', label: 'Race', hint: 'CDC race code, e.g. 2106-3.' },
      {
        name: 'recip_ethnicity',
        label: 'Ethnicity',
        hint: '2135-2 (Hispanic or Latino), 2186-5 (not), UNK.',
      },
    ],
  },
  {
    legend: 'Their address',
    fields: [
      { name: 'recip_address_street', label: 'Street' },
      { name: 'recip_address_street_2', label: 'Street, second line' },
      { name: 'recip_address_city', label: 'City' },
      { name: 'recip_address_county', label: 'County (FIPS)', hint: 'Five digits, e.g. 06001.' },
      { name: 'recip_address_state', label: 'State', hint: 'Two letters, e.g. CA.' },
      { name: 'recip_address_zip', label: 'ZIP code' },
    ],
  },
];

export const DOSE_FIELDS = DOSE_FIELD_GROUPS.flatMap((g) => g.fields.map((f) => f.name));
