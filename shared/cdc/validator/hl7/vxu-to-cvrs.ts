// The mapping of one VXU message to its CVRS record, as CDC's Terser paths read it.

import { type CvrsField, type CvrsVersion, cvrsFields } from './cvrs-record.ts';
import { applyDefaults } from './defaults.ts';
import { checkPrimitives, checkStructure } from './hapi-checks.ts';
import { hapiUnescape } from './hapi-escaping.ts';
import { leaf, parseRaw, rawLeaf } from './hapi-message.ts';
import { observed, orderObservations } from './obx.ts';
import { groupIn, place, segmentIn } from './vxu-placement.ts';

/** CDC's date handling: TS digits cut to yyyy[-MM[-dd]], whatever follows is dropped, nothing is checked. */
function cvrsDate(value: string): string {
  if (value === '') return '';
  let out = value.slice(0, 4);
  if (value.length > 4) {
    out += `-${value.slice(4, 6)}`;
    if (value.length > 6) out += `-${value.slice(6, 8)}`;
  }
  return out;
}

const isRefusalCode = (v: string, code: string): string =>
  v.toLowerCase() === code.toLowerCase() ? 'YES' : 'NO';

const SEROLOGY: Record<string, string> = { yes: 'YES', no: 'NO', unk: 'UNK' };

export interface VxuToCvrsOptions {
  /** CDC's `-d`: fill required UNK-able fields with UNK, clear do-not-send ones, derive ext_type. Off by default. */
  defaults?: boolean;
}

/**
 * The CVRS record CDC's validator derives from one VXU (one element of `splitHl7Messages`): every field of that
 * version present, '' when the message has no value. Throws `CdcHl7Rejection` where CDC's tool would stop instead.
 */
export function vxuToCvrs(
  message: string,
  version: CvrsVersion = '2',
  options: VxuToCvrsOptions = {},
): Record<string, string> {
  const parsed = parseRaw(message);
  checkStructure(parsed);
  checkPrimitives(parsed);
  const d = parsed.delimiters;
  const placed = place(parsed.segments);
  const msh = segmentIn(placed, 'MSH');
  const pid = segmentIn(placed, 'PID');
  const order = groupIn(placed, 'ORDER');
  const orc = segmentIn(order, 'ORC');
  const rxa = segmentIn(order, 'RXA');
  const rxr = segmentIn(order, 'RXR');
  const obxs = orderObservations(placed);

  // MSH-22 is past the 21 fields HAPI's v2.5.1 MSH knows, so it is untyped and kept as sent (no trimming).
  const sendingOrg = hapiUnescape(rawLeaf(msh, d, 22), d);

  const r: Record<CvrsField, string> = {
    vax_event_id: leaf(orc, d, 'ST', 3),
    ext_type: leaf(msh, d, 'ST', 8),
    pprl_id: leaf(pid, d, 'ST', 3, 2),
    recip_id: leaf(pid, d, 'ST', 3, 1),
    recip_first_name: leaf(pid, d, 'ST', 5, 1, 1),
    recip_middle_name: leaf(pid, d, 'ST', 5, 1, 3),
    recip_last_name: leaf(pid, d, 'ST', 5, 1, 2),
    recip_dob: cvrsDate(leaf(pid, d, 'DTM', 7)),
    recip_sex: leaf(pid, d, 'IS', 8),
    recip_address_street: leaf(pid, d, 'ST', 11, 1, 1),
    recip_address_street_2: leaf(pid, d, 'ST', 11, 1, 2),
    recip_address_city: leaf(pid, d, 'ST', 11, 1, 3),
    recip_address_county: leaf(pid, d, 'IS', 11, 1, 9),
    recip_address_state: leaf(pid, d, 'ST', 11, 1, 4),
    recip_address_zip: leaf(pid, d, 'ST', 11, 1, 5),
    recip_race_1: leaf(pid, d, 'ST', 10, 1),
    recip_race_2: leaf(pid, d, 'ST', 10, 2),
    recip_race_3: leaf(pid, d, 'ST', 10, 3),
    recip_race_4: leaf(pid, d, 'ST', 10, 4),
    recip_race_5: leaf(pid, d, 'ST', 10, 5),
    recip_race_6: leaf(pid, d, 'ST', 10, 6),
    recip_ethnicity: leaf(pid, d, 'ST', 22),
    admin_date: cvrsDate(leaf(rxa, d, 'DTM', 3)),
    cvx: leaf(rxa, d, 'ST', 5, 1, 1),
    ndc: leaf(rxa, d, 'ST', 5, 1, 4),
    mvx: leaf(rxa, d, 'ST', 17),
    lot_number: leaf(rxa, d, 'ST', 15),
    vax_expiration: cvrsDate(leaf(rxa, d, 'DTM', 16)),
    vax_admin_site: leaf(rxr, d, 'ST', 2),
    vax_route: leaf(rxr, d, 'ST', 1),
    dose_num: observed(obxs, d, '30973-2', 'LN'),
    vax_series_complete: observed(obxs, d, '59783-1', 'LN'),
    responsible_org: sendingOrg !== '' ? sendingOrg : leaf(msh, d, 'IS', 4),
    admin_name: leaf(rxa, d, 'IS', 11, 1, 4, 1),
    vtrcks_prov_pin: leaf(rxa, d, 'ST', 11, 1, 4, 2),
    admin_type: leaf(rxa, d, 'IS', 11, 1, 6),
    admin_address_street: leaf(rxa, d, 'ST', 11, 1, 9),
    admin_address_street_2: leaf(rxa, d, 'ST', 11, 1, 10),
    admin_address_city: leaf(rxa, d, 'ST', 11, 1, 11),
    admin_address_county: leaf(rxa, d, 'ST', 11, 1, 16),
    admin_address_state: leaf(rxa, d, 'ST', 11, 1, 12),
    admin_address_zip: leaf(rxa, d, 'ST', 11, 1, 13),
    vax_prov_suffix: leaf(rxa, d, 'ST', 10, 1, 21),
    // RXA-20 maps RE to YES and anything else, empty included, to NO.
    vax_refusal: isRefusalCode(leaf(rxa, d, 'ID', 20), 'RE'),
    // "PHIN VS" with a space: CDC's annotation spells it so, and the match is exact apart from case.
    cmorbid_status: observed(obxs, d, 'VXC8', 'PHIN VS'),
    recip_missed_appt: isRefusalCode(leaf(rxa, d, 'ID', 20), 'MA'),
    serology: SEROLOGY[observed(obxs, d, '75505-8', 'LN').toLowerCase()] ?? '',
  };
  if (options.defaults) applyDefaults(r, version);
  const out: Record<string, string> = {};
  for (const f of cvrsFields(version)) out[f] = r[f];
  return out;
}
