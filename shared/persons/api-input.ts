import { parseDate } from '#platform/dates.ts';
import type { Finding } from '#platform/findings.ts';
import { HttpError } from '#platform/http/response.ts';
import type { Caller } from '#sites/access.ts';
import type { PersonQuery } from './types.ts';

/** Longest name, ZIP or patient ID a search takes (the CVRS field limit is far below it). */
const MAX_TEXT = 100;
const FIELDS = ['first_name', 'middle_name', 'last_name', 'dob', 'sex', 'zip', 'recip_id'] as const;

const bad = (field: string, message: string): Finding => ({
  code: 'REQ010',
  severity: 'error',
  field,
  message,
});

/**
 * A person search as the API takes it: names and DOB required (a search must be able to identify one person),
 * sex, ZIP and the caller's own patient ID optional. Every problem is named at once; none echoes a value.
 */
export function personQuery(body: unknown, who: Caller): PersonQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'REQ010', 'body', 'Send a JSON object with first_name, last_name and dob.');
  const b = body as Record<string, unknown>;
  const issues: Finding[] = [];
  const text = (f: (typeof FIELDS)[number]): string | undefined => {
    const v = b[f];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') {
      issues.push(bad(f, `${f} must be text.`));
      return undefined;
    }
    if (v.length > MAX_TEXT) {
      issues.push(bad(f, `${f} is longer than ${MAX_TEXT} characters.`));
      return undefined;
    }
    return v.trim() || undefined;
  };
  const unknown = Object.keys(b).filter((k) => !(FIELDS as readonly string[]).includes(k));
  for (const k of unknown.slice(0, 5))
    issues.push(bad(k.slice(0, 40), `Unknown field; a search takes ${FIELDS.join(', ')}.`));
  const first = text('first_name');
  const middle = text('middle_name');
  const last = text('last_name');
  const dobRaw = text('dob');
  const sex = text('sex')?.toUpperCase();
  const zip = text('zip');
  const recip = text('recip_id');
  if (!first) issues.push(bad('first_name', 'first_name is required to search for a person.'));
  if (!last) issues.push(bad('last_name', 'last_name is required to search for a person.'));
  let dob: string | undefined;
  if (!dobRaw) issues.push(bad('dob', 'dob is required to search for a person (YYYY-MM-DD).'));
  else {
    const p = parseDate(dobRaw);
    if (p.ok) dob = p.iso;
    else issues.push(bad('dob', 'dob is not a real date; write it YYYY-MM-DD.'));
  }
  if (sex && !['F', 'M', 'X', 'U'].includes(sex)) issues.push(bad('sex', 'sex must be F, M, X or U.'));
  if (zip && !/^\d{5}(-?\d{4})?$/.test(zip)) issues.push(bad('zip', 'zip must be 5 digits (or ZIP+4).'));
  if (recip && who.role !== 'site')
    issues.push(bad('recip_id', "recip_id is a site's own patient ID: only a site key can search by it."));
  if (issues.length || !first || !last || !dob)
    throw new HttpError(400, issues, 'The search cannot be made: see issues.');
  return {
    first,
    last,
    dob,
    ...(middle ? { middle } : {}),
    ...(sex ? { sex } : {}),
    ...(zip ? { zip: zip.slice(0, 5) } : {}),
    ...(recip && who.iis_id ? { site_patient: { iis_id: who.iis_id, recip_id: recip } } : {}),
  };
}
