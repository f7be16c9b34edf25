/**
 * The dose record: CDC CVRS variable names, in the specification's order (CVRS v2, fields 1–45), plus `iis_id`,
 * the CAIR Org Code of the administering site. Intake takes the identified model (real names and addresses);
 * the CDC extract later redacts it.
 */
export const CVRS_FIELDS = [
  'vax_event_id',
  'ext_type',
  'pprl_id',
  'recip_id',
  'recip_first_name',
  'recip_middle_name',
  'recip_last_name',
  'recip_dob',
  'recip_sex',
  'recip_address_street',
  'recip_address_street_2',
  'recip_address_city',
  'recip_address_county',
  'recip_address_state',
  'recip_address_zip',
  'recip_race_1',
  'recip_race_2',
  'recip_race_3',
  'recip_race_4',
  'recip_race_5',
  'recip_race_6',
  'recip_ethnicity',
  'admin_date',
  'cvx',
  'ndc',
  'mvx',
  'lot_number',
  'vax_expiration',
  'vax_admin_site',
  'vax_route',
  'dose_num',
  'vax_series_complete',
  'responsible_org',
  'admin_name',
  'vtrcks_prov_pin',
  'admin_type',
  'admin_address_street',
  'admin_address_street_2',
  'admin_address_city',
  'admin_address_county',
  'admin_address_state',
  'admin_address_zip',
  'vax_refusal',
  'cmorbid_status',
  'serology',
] as const;

export type CvrsField = (typeof CVRS_FIELDS)[number];
export const DOSE_FIELDS = [...CVRS_FIELDS, 'iis_id'] as const;
export type DoseField = (typeof DOSE_FIELDS)[number];

/** A normalized dose: every present value is a trimmed string; absent values are missing keys. */
export type Dose = { [K in DoseField]?: string } & { vax_event_id: string; iis_id: string };

/** Site fields the enrollment already knows; a dose may omit them and they are filled from the site. */
export const SITE_FILLED_FIELDS = [
  'responsible_org',
  'admin_name',
  'vtrcks_prov_pin',
  'admin_type',
  'admin_address_street',
  'admin_address_street_2',
  'admin_address_city',
  'admin_address_county',
  'admin_address_state',
  'admin_address_zip',
] as const satisfies readonly CvrsField[];

export const RACE_FIELDS = [
  'recip_race_1',
  'recip_race_2',
  'recip_race_3',
  'recip_race_4',
  'recip_race_5',
  'recip_race_6',
] as const satisfies readonly CvrsField[];

/** Fields a refusal row must leave empty ("Do not populate" for refusals in the CVRS spec). */
export const REFUSAL_EMPTY_FIELDS = [
  'ndc',
  'mvx',
  'lot_number',
  'vax_expiration',
  'vax_admin_site',
  'vax_route',
  'dose_num',
  'vax_series_complete',
] as const satisfies readonly CvrsField[];

/** Identifying fields: never logged, never sent to CDC unredacted. */
export const IDENTIFYING_FIELDS = [
  'recip_first_name',
  'recip_middle_name',
  'recip_last_name',
  'recip_address_street',
  'recip_address_street_2',
  'recip_address_city',
] as const satisfies readonly CvrsField[];

/**
 * Fields whose values no finding repeats (issue 18, item 6): findings go back to the submitter and into results
 * files and ACKs that travel further, so a message names the field and the rule, never the value. They are the
 * recipient's own fields (names, patient ID, date of birth, address below the state, and the demographic codes,
 * where a shifted column would put a name), pprl_id, and the date of the dose: HIPAA's Safe Harbor counts every
 * date about a person other than the year, and every part of an address smaller than a state. The product,
 * the administering site and the event's own ID are not about the recipient and may be repeated, cut short.
 */
export const NOT_ECHOED_FIELDS = [
  ...CVRS_FIELDS.filter((f) => f.startsWith('recip_')),
  'pprl_id',
  'admin_date',
] as const satisfies readonly CvrsField[];
export const NOT_ECHOED: ReadonlySet<string> = new Set(NOT_ECHOED_FIELDS);

export const DATE_FIELDS = [
  'recip_dob',
  'admin_date',
  'vax_expiration',
] as const satisfies readonly CvrsField[];

/** Values compared case-insensitively by CDC; stored upper-cased. */
export const CODE_FIELDS = [
  'ext_type',
  'recip_sex',
  'recip_address_state',
  ...RACE_FIELDS,
  'recip_ethnicity',
  'cvx',
  'mvx',
  'vax_admin_site',
  'vax_route',
  'dose_num',
  'vax_series_complete',
  'admin_type',
  'admin_address_state',
  'vax_refusal',
  'cmorbid_status',
  'serology',
  'lot_number',
  'iis_id',
  'vtrcks_prov_pin',
] as const satisfies readonly DoseField[];

export const FIELD_SET: ReadonlySet<string> = new Set(DOSE_FIELDS);
