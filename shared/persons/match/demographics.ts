import type { Demographics, PersonQuery, SitePatientId } from '../types.ts';

/**
 * A dose's demographics as matching compares them. Normalization removes differences that say nothing about
 * who the person is (case, accents, punctuation, spacing, JR/SR, ZIP+4, STREET vs ST), so the scorer only
 * sees differences that might: typos, nicknames, moves.
 */

const SUFFIXES = new Set(['JR', 'SR', 'II', 'III', 'IV', 'V', '2ND', '3RD', 'MD', 'PHD']);

/** Upper case, accents dropped, apostrophes and periods removed (O'BRIEN = OBRIEN), other punctuation a space. */
export function normalizeText(s: string | undefined): string {
  if (!s) return '';
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/['’.`]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

/** A name without generational suffixes or digits; hyphens and spaces alike separate its parts. */
export function normalizeName(s: string | undefined): string {
  const tokens = normalizeText(s)
    .replace(/[0-9]/g, '')
    .split(' ')
    .filter((t) => t !== '');
  // Only trailing suffixes, and never the whole name (a given name "V" is an initial, not "the fifth").
  while (tokens.length > 1 && SUFFIXES.has(tokens[tokens.length - 1]!)) tokens.pop();
  return tokens.join(' ');
}

const STREET_WORDS: Record<string, string> = {
  STREET: 'ST',
  AVENUE: 'AVE',
  AV: 'AVE',
  BOULEVARD: 'BLVD',
  ROAD: 'RD',
  DRIVE: 'DR',
  LANE: 'LN',
  COURT: 'CT',
  PLACE: 'PL',
  CIRCLE: 'CIR',
  HIGHWAY: 'HWY',
  PARKWAY: 'PKWY',
  TERRACE: 'TER',
  TRAIL: 'TRL',
  WAY: 'WAY',
  SQUARE: 'SQ',
  APARTMENT: 'APT',
  SUITE: 'STE',
  UNIT: 'UNIT',
  NORTH: 'N',
  SOUTH: 'S',
  EAST: 'E',
  WEST: 'W',
  NUMBER: '',
  NO: '',
};

export function normalizeStreet(street: string | undefined, street2?: string): string {
  const tokens = normalizeText([street, street2].filter(Boolean).join(' '))
    .split(' ')
    .map((t) => STREET_WORDS[t] ?? t)
    .filter((t) => t !== '');
  return tokens.join(' ');
}

export function normalizeZip(zip: string | undefined): string | undefined {
  const digits = (zip ?? '').replace(/[^0-9]/g, '');
  // 9-digit ZIP+4 keeps its first five; anything shorter than five cannot be trusted.
  return digits.length >= 5 && digits !== '00000' ? digits.slice(0, 5) : undefined;
}

export function normalizeSex(sex: string | undefined): string | undefined {
  const s = normalizeText(sex);
  if (s === 'F' || s === 'FEMALE') return 'F';
  if (s === 'M' || s === 'MALE') return 'M';
  if (s === 'X') return 'X';
  return undefined;
}

export function normalizeDob(dob: string | undefined): string | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec((dob ?? '').trim());
  if (!m) return undefined;
  const [, y, mo, d] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return undefined;
  return `${y}-${mo}-${d}`;
}

const normalizePhone = (p: string | undefined) => {
  const digits = (p ?? '').replace(/[^0-9]/g, '').replace(/^1(?=\d{10}$)/, '');
  return digits.length === 10 ? digits : undefined;
};

function sitePatient(iis: string | undefined, recip: string | undefined): SitePatientId | undefined {
  const iis_id = (iis ?? '').trim().toUpperCase();
  const recip_id = (recip ?? '').trim();
  return iis_id && recip_id ? { iis_id, recip_id } : undefined;
}

/** Drops empty fields, so two Demographics with the same content serialize the same. */
function compact(d: Demographics): Demographics {
  const kept = Object.entries(d).filter(([k, v]) => REQUIRED.has(k) || (v !== undefined && v !== ''));
  return Object.fromEntries(kept) as unknown as Demographics;
}
const REQUIRED = new Set(['first', 'last', 'dob']);

/** From a stored dose's CVRS fields; undefined when first name, last name or DOB is missing or unreadable. */
export function demographicsOf(dose: Record<string, string | undefined>): Demographics | undefined {
  const first = normalizeName(dose.recip_first_name);
  const last = normalizeName(dose.recip_last_name);
  const dob = normalizeDob(dose.recip_dob);
  if (!first || !last || !dob) return undefined;
  return compact({
    first,
    middle: normalizeName(dose.recip_middle_name),
    last,
    dob,
    sex: normalizeSex(dose.recip_sex),
    street: normalizeStreet(dose.recip_address_street, dose.recip_address_street_2),
    city: normalizeText(dose.recip_address_city),
    county: normalizeText(dose.recip_address_county),
    state: normalizeText(dose.recip_address_state),
    zip: normalizeZip(dose.recip_address_zip),
    phone: normalizePhone(dose.recip_phone),
    email: dose.recip_email?.trim().toLowerCase(),
    site_patient: sitePatient(dose.iis_id, dose.recip_id),
  });
}

/** A search's demographics, normalized like a dose's so the same blocking keys and scores apply. */
export function demographicsOfQuery(q: PersonQuery): Demographics {
  return compact({
    first: normalizeName(q.first),
    middle: normalizeName(q.middle),
    last: normalizeName(q.last),
    dob: normalizeDob(q.dob) ?? '',
    sex: normalizeSex(q.sex),
    street: normalizeStreet(q.street),
    city: normalizeText(q.city),
    state: normalizeText(q.state),
    zip: normalizeZip(q.zip),
    phone: normalizePhone(q.phone),
    site_patient: q.site_patient ? sitePatient(q.site_patient.iis_id, q.site_patient.recip_id) : undefined,
  });
}
