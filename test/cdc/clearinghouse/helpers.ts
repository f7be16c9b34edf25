import type { UploadOutcome } from '#cdc/clearinghouse/answers.ts';
import { cvrsRecord } from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { generateLocalTls, type LocalTlsMaterial } from '../../../local/standins/tls.ts';
import { demoSite, modernaDose } from '../../fixtures/doses.ts';

export const SECRET = 'test-secret-for-recip-ids';
export const CLIENT = { clientId: 'caa-client', clientSecret: 'caa-secret-value' };
export const EVENT = CVRS_FIELDS.indexOf('vax_event_id');

let tls: { own: LocalTlsMaterial; other: LocalTlsMaterial } | undefined;
/** The stand-in's CA with its server and client certificates, and a second CA's, made once per test file. */
export function localTls(): { own: LocalTlsMaterial; other: LocalTlsMaterial } {
  tls ??= { own: generateLocalTls(), other: generateLocalTls() };
  return tls;
}

export function record(n: number, overrides: Record<string, unknown> = {}): string[] {
  const dose = normalizeDose({
    ...modernaDose({ vax_event_id: `EVT-${n}`, recip_id: `PAT-${n}`, ...overrides }),
    ...demoSite,
  }).dose;
  return cvrsRecord(dose, SECRET);
}

export function accepted(outcome: UploadOutcome) {
  if (outcome.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`);
  return outcome.receipt;
}
