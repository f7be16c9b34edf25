// CDC's -d defaults: what is blanked for an event, UNK for a missing field whose value set takes it, the
// identified/de-identified flag from the redacted fields, and ZIP+4 with its dash.

import { IDENTIFYING_FIELDS } from '#doses/fields.ts';
import { CVRS_FIELDS_V1, type CvrsField, type CvrsVersion } from './cvrs-record.ts';

type Event = 'VACCINATION' | 'REFUSAL' | 'MISSED_APPOINTMENT';
const ALL_EVENTS: readonly Event[] = ['VACCINATION', 'REFUSAL', 'MISSED_APPOINTMENT'];

/** Required fields whose value set accepts UNK (RACEWITHUNK, ETHNICITY, DOSE, YES_NO_UNK, DCHTYPE2), by event. */
const UNK_WHEN_MISSING: Partial<Record<CvrsField, readonly Event[]>> = {
  recip_race_1: ALL_EVENTS,
  recip_ethnicity: ALL_EVENTS,
  dose_num: ['VACCINATION'],
  vax_series_complete: ['VACCINATION'],
  admin_type: ['VACCINATION', 'REFUSAL'],
  cmorbid_status: ALL_EVENTS,
  serology: ALL_EVENTS,
};

const DO_NOT_SEND: Partial<Record<CvrsField, readonly Event[]>> = {
  cvx: ['MISSED_APPOINTMENT'],
  ndc: ['MISSED_APPOINTMENT', 'REFUSAL'],
  mvx: ['MISSED_APPOINTMENT', 'REFUSAL'],
  lot_number: ['MISSED_APPOINTMENT', 'REFUSAL'],
  vax_expiration: ['MISSED_APPOINTMENT', 'REFUSAL'],
  vax_admin_site: ['MISSED_APPOINTMENT', 'REFUSAL'],
  vax_route: ['MISSED_APPOINTMENT', 'REFUSAL'],
  dose_num: ['MISSED_APPOINTMENT', 'REFUSAL'],
  vax_series_complete: ['MISSED_APPOINTMENT', 'REFUSAL'],
};

const REDACTED_FIELDS: readonly CvrsField[] = IDENTIFYING_FIELDS;

export function applyDefaults(r: Record<CvrsField, string>, version: CvrsVersion): void {
  // In v2 recip_missed_appt is never read from the message, so only a refusal changes the event.
  const missed = version === '1' && r.recip_missed_appt.toUpperCase() === 'YES';
  const event: Event =
    r.vax_refusal.toUpperCase() === 'YES' ? 'REFUSAL' : missed ? 'MISSED_APPOINTMENT' : 'VACCINATION';
  const doNotSend: Partial<Record<CvrsField, readonly Event[]>> =
    version === '1' ? { ...DO_NOT_SEND, vax_prov_suffix: ['MISSED_APPOINTMENT', 'REFUSAL'] } : DO_NOT_SEND;
  for (const f of CVRS_FIELDS_V1) {
    if (doNotSend[f]?.includes(event)) r[f] = '';
    else if (r[f] === '' && UNK_WHEN_MISSING[f]?.includes(event)) r[f] = 'UNK';
  }
  r.ext_type = REDACTED_FIELDS.every((f) => r[f].toLowerCase() === 'redacted') ? 'D' : 'I';
  if (r.ext_type === 'I') {
    // CDC's clearinghouse rejects an empty name or street line in identified data, so the tool sends a space.
    if (r.recip_middle_name === '') r.recip_middle_name = ' ';
    if (r.recip_address_street_2 === '') r.recip_address_street_2 = ' ';
  }
  r.recip_address_zip = zipWithDash(r.recip_address_zip);
  r.admin_address_zip = zipWithDash(r.admin_address_zip);
}

function zipWithDash(zip: string): string {
  return zip.length > 5 && !zip.includes('-') ? `${zip.slice(0, 5)}-${zip.slice(5)}` : zip;
}
