/**
 * Issue 18, item 6: findings go back to the submitter, into results files and ACKs that travel further, so a
 * message about the recipient's fields (NOT_ECHOED_FIELDS: names, patient ID, date of birth, address, the date
 * of the dose) names the field and the rule, never the value. Random values of each — dates in every layout we
 * read or refuse, names with delimiters and controls — never appear in any finding, over JSON and over VXU.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildVxu, cairFacilities } from '#codecs/hl7/index.ts';
import { type Dose, NOT_ECHOED_FIELDS } from '#doses/fields.ts';
import { defaultDeps, type IntakeDeps, submitDoses } from '#doses/submit.ts';
import { receiveVxu } from '#doses/vxu-intake.ts';
import type { Finding } from '#platform/findings.ts';
import type { Site } from '#sites/site.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const NOW = new Date('2021-03-12T18:00:00Z');
const caller = { role: 'site' as const, iis_id: demoSite.iis_id };

const deps: IntakeDeps = {
  ...defaultDeps,
  getSite: async (id) => (id === demoSite.iis_id ? (demoSite as unknown as Site) : undefined),
  getHead: async () => undefined,
  recipientDoses: async () => [],
  insertVersion: async () => ({ stored: true }),
  writeIntents: async () => {},
  deleteIntents: async () => {},
  shrinkIntent: async () => {},
  publish: async () => new Map(),
};

/**
 * Dates that are no public date in a message (today 2021-03-12, the lot's expiration, product dates 2020–2024):
 * long ago (a date of birth over 120 years back, before any product), or years ahead (in the future).
 */
const day = fc
  .oneof(
    fc.date({
      min: new Date('1850-01-01T00:00:00Z'),
      max: new Date('2019-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.date({
      min: new Date('2026-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
  )
  .map((d) => d.toISOString().slice(0, 10));
/** A date as sites write it, right or wrong; every form is checked against the findings. */
const dateText = fc.oneof(
  day,
  day.map((d) => `${d.slice(5, 7)}/${d.slice(8)}/${d.slice(0, 4)}`),
  day.map((d) => d.replaceAll('-', '')),
  day.map((d) => d.slice(0, 7)),
  day.map((d) => `${d.slice(0, 8)}32`),
  day.map((d) => `${d.slice(0, 5)}02-30`),
  day.map((d) => `${d}T10:00:00-08:00`),
  day.map((d) => `${d.slice(0, 4)}/${d.slice(5, 7)}`),
);
/** Text that no message holds by chance: a marker, then anything, delimiters and controls included. */
const marked = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(...'abcdefXYZ0123456789'),
      fc.constantFrom(...'|^~\\&"\',;= -#\u0000\u0007\u007f\u0085\ufffe'),
    ),
    minLength: 3,
    maxLength: 30,
  })
  .map((s) => `Qz${s}`);
/** ZIP and county codes in forms that draw findings, never a number a message holds (examples are 0…, 1…, 8…). */
const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const zip = fc.oneof(
  digits(4).map((d) => `9${d}`),
  digits(8).map((d) => `9${d}`),
  digits(3).map((d) => `9${d}`),
  marked,
);
const county = fc.oneof(
  fc.constantFrom('36061', '32003', '41051'),
  digits(3).map((d) => `9${d}`),
  marked,
);

const recipient = fc.record(
  {
    recip_id: marked,
    recip_first_name: marked,
    recip_middle_name: marked,
    recip_last_name: marked,
    recip_dob: dateText,
    recip_sex: marked,
    recip_race_1: marked,
    recip_ethnicity: marked,
    recip_address_street: marked,
    recip_address_street_2: marked,
    recip_address_city: marked,
    recip_address_county: county,
    recip_address_zip: zip,
    recip_address_state: fc.constantFrom('CA', 'NY', 'XX'),
    admin_date: dateText,
    pprl_id: marked,
    ext_type: fc.constantFrom('I', 'D'),
  },
  { requiredKeys: [] },
);

/** Every form a value may take in a message: as sent, trimmed, its first characters, and a date's other forms. */
function forms(field: string, value: string): string[] {
  const v = value.trim();
  const out = [v];
  if (field.endsWith('_dob') || field === 'admin_date') {
    const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(v) ?? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
    if (m) {
      const [y, mo, d] = m[3]!.length === 4 ? [m[3]!, m[1]!, m[2]!] : [m[1]!, m[2]!, m[3]!];
      out.push(`${y}-${mo}-${d}`, `${y}${mo}${d}`, `${mo}/${d}/${y}`);
    }
  } else if (v.startsWith('Qz')) out.push(v.slice(0, 5));
  // A state code is no identifier (findings name it); short codes are too common to test for.
  return out.filter((s) => s.length >= 5);
}

function leaks(input: Record<string, unknown>, issues: readonly Finding[] | string): string[] {
  const text = typeof issues === 'string' ? issues : issues.map((f) => `${f.field}\n${f.message}`).join('\n');
  const found: string[] = [];
  for (const field of NOT_ECHOED_FIELDS) {
    const v = input[field];
    if (typeof v !== 'string') continue;
    for (const form of forms(field, v))
      if (text.includes(form)) found.push(`${field}: ${JSON.stringify(form)}`);
  }
  return found;
}

describe('no finding repeats an identifying value (property)', () => {
  it('JSON and file intake (submitDoses): names, IDs, dates of birth and of the dose, address', async () => {
    await fc.assert(
      fc.asyncProperty(recipient, async (fields) => {
        const input = modernaDose(fields);
        const out = await submitDoses([input], caller, NOW, deps);
        if (!out.ok) throw new Error('refused');
        expect(leaks(input, out.results[0]!.issues)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('dates of birth alone, in every layout, against every date rule', async () => {
    await fc.assert(
      fc.asyncProperty(dateText, dateText, async (dob, admin) => {
        const input = modernaDose({ recip_dob: dob, admin_date: admin });
        const out = await submitDoses([input], caller, NOW, deps);
        if (!out.ok) throw new Error('refused');
        expect(leaks(input, out.results[0]!.issues)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('VXU intake: the ACK repeats no identifying value', async () => {
    await fc.assert(
      fc.asyncProperty(recipient, day, day, async (fields, dob, admin) => {
        // HL7 carries dates as YYYYMMDD: the parser reads them (its own errors never quote one), so real dates here.
        const input = modernaDose({ ...fields, recip_dob: dob, admin_date: admin });
        const hl7 = buildVxu({
          messageControlId: 'M1',
          sentAt: NOW,
          ...cairFacilities(demoSite.iis_id),
          processingId: 'P',
          action: 'A',
          dose: { iis_id: demoSite.iis_id, ...input } as unknown as Dose,
        });
        const out = await receiveVxu(hl7, caller, NOW, deps);
        const errText = out.errors.map((e) => e.text).join('\n');
        expect(leaks(input, errText)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
