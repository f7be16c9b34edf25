/**
 * The demo site `npm start` enrolls on first start, and a realistic dose for it: a Moderna primary-series dose
 * given in Oakland in March 2021. Tests and the benchmark use the same records.
 */
export function modernaDose(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vax_event_id: 'EVT-0001',
    recip_id: 'PAT-1001',
    recip_first_name: 'Maria',
    recip_middle_name: 'Elena',
    recip_last_name: 'Gonzalez',
    recip_dob: '1958-07-22',
    recip_sex: 'F',
    recip_address_street: '1200 Broadway',
    recip_address_city: 'Oakland',
    recip_address_county: '06001',
    recip_address_state: 'CA',
    recip_address_zip: '94612',
    recip_race_1: '2106-3',
    recip_ethnicity: '2135-2',
    admin_date: '2021-03-10',
    cvx: '207',
    ndc: '80777-0273-10',
    mvx: 'MOD',
    lot_number: '039K20A',
    vax_expiration: '2021-06-30',
    vax_admin_site: 'LD',
    vax_route: 'C28161',
    dose_num: '1',
    vax_series_complete: 'NO',
    vax_refusal: 'NO',
    cmorbid_status: 'UNK',
    serology: 'UNK',
    ...overrides,
  };
}

export const demoSite = {
  iis_id: 'CAIRDEMO01',
  admin_name: 'Oakland Community Vaccination Clinic',
  vtrcks_prov_pin: 'A1B2C3',
  admin_type: '3',
  admin_address_street: '150 Frank H Ogawa Plaza',
  admin_address_city: 'Oakland',
  admin_address_county: '06001',
  admin_address_state: 'CA',
  admin_address_zip: '94612',
  responsible_org: 'Alameda County Public Health',
};
