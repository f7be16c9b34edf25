/**
 * Issue 18, item 1: whatever intake accepts, every outbound encoder can carry. Doses get arbitrary Unicode —
 * controls, noncharacters, lone surrogates, HL7 delimiters, quotes, formula starters — in every free-text field
 * (and now and then in a code); for each dose intake stores, the registry VXU, its SOAP envelope, the CDC CVRS
 * line and the results CSV row are all built, and each value comes back from the decoders we have. Whatever intake
 * answers, accepted or not, its findings travel too: in an ACK inside a SOAP response and in a results CSV row.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenCsvParser } from '#cdc/validator/opencsv.ts';
import { cvrsLine, cvrsRecord } from '#codecs/cvrs/file.ts';
import { buildAck, buildVxu, hl7Error, parseAck, parseVxu } from '#codecs/hl7/index.ts';
import {
  buildSubmitSingleMessageRequest,
  buildSubmitSingleMessageResponse,
  parseSoapRequest,
  parseSoapResponse,
} from '#codecs/soap/cdc-iis.ts';
import { CVRS_FIELDS, type Dose, type DoseField } from '#doses/fields.ts';
import type { DoseVersion } from '#doses/store.ts';
import { submitDoses } from '#doses/submit.ts';
import { resultRows } from '#files/results.ts';
import { REGISTRIES } from '#registry/config.ts';
import { vxuFor } from '#registry/vxu-input.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';
import { capturing } from '../fixtures/intake.ts';
import { NASTY_CHARS } from '../fuzz/shapes.ts';

const NOW = new Date('2021-03-12T18:00:00Z');
const SECRET = 'test-secret';

/** Free-text fields: those a person types (names, streets, IDs), where anything may turn up. */
const FREE_TEXT: readonly DoseField[] = [
  'recip_id',
  'recip_first_name',
  'recip_middle_name',
  'recip_last_name',
  'recip_address_street',
  'recip_address_street_2',
  'recip_address_city',
  'responsible_org',
  'admin_name',
  'admin_address_street',
  'admin_address_street_2',
  'admin_address_city',
];

/** What no outbound format carries: intake must refuse it (DQ029). */
const POISON_CHARS = [
  ...'\u0000\u0001\u0007\u0008\u000e\u001b\u001f\u007f\u0080\u009f\ufdd0\ufffe\uffff',
  '\u{1fffe}',
];
const POISON = [...POISON_CHARS, '\ud800', '\udbff', '\udc00', '\udfff'];
/** Whether free text holds what intake must refuse (lone surrogates make a string ill-formed). */
const poisoned = (v: unknown) =>
  typeof v === 'string' && (!v.isWellFormed() || POISON_CHARS.some((c) => v.includes(c)));
/** Characters an encoder must escape or a reader may trip on, which a name or street may well hold. */
const TRICKY = NASTY_CHARS.filter((c) => !POISON.includes(c));
const letters = fc.constantFrom(...'abcXYZ019éÑß中');
const tricky = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: letters },
    { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 24,
});
const wild = fc.oneof(
  fc.string({
    unit: fc.oneof(
      { weight: 4, arbitrary: letters },
      { weight: 4, arbitrary: fc.constantFrom(...NASTY_CHARS) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
    ),
    maxLength: 20,
  }),
  // A clean value with one bad character somewhere: the likely real case.
  fc
    .tuple(fc.constantFrom('Maria', 'O Brien', '12 Main St'), fc.constantFrom(...POISON), fc.nat(12))
    .map(([s, c, at]) => s.slice(0, at) + c + s.slice(at)),
);
/** Mostly text that should get in; now and then text that must not. */
const freeText = fc.oneof({ weight: 12, arbitrary: tricky }, { weight: 1, arbitrary: wild });

const CODE_FIELDS: readonly DoseField[] = [
  'recip_sex',
  'recip_race_1',
  'recip_ethnicity',
  'recip_address_state',
  'recip_address_county',
  'recip_address_zip',
  'cvx',
  'mvx',
  'lot_number',
  'vax_admin_site',
  'vax_route',
  'dose_num',
  'vtrcks_prov_pin',
  'admin_type',
  'vax_event_id',
  'recip_dob',
];

const doseArb = fc
  .tuple(
    fc.record(Object.fromEntries(FREE_TEXT.map((f) => [f, freeText])), { requiredKeys: [] }),
    fc.oneof(
      fc.constant({}),
      fc.dictionary(fc.constantFrom(...CODE_FIELDS), fc.oneof(tricky, wild), { maxKeys: 1 }),
    ),
    fc.nat(),
  )
  .map(([text, codes, n]) => modernaDose({ vax_event_id: `E-${n}`, ...text, ...codes }));

/** Every outbound format of one stored dose; throws where one cannot be built. */
function encodeEverywhere(v: DoseVersion): void {
  const dose = v.dose as Dose;
  for (const [name, config] of Object.entries(REGISTRIES)) {
    const hl7 = buildVxu(
      vxuFor({ dose, action: 'A', config, facilityID: 'FAC', messageControlId: 'M1', sentAt: NOW }),
    );
    const envelope = buildSubmitSingleMessageRequest({
      username: 'u',
      password: 'p',
      facilityID: 'FAC',
      hl7Message: hl7,
    });
    const req = parseSoapRequest(envelope);
    expect(req.operation === 'submitSingleMessage' && req.hl7Message, name).toBe(hl7);
    // What the registry reads back: every free-text field the VXU carries is the stored value.
    const back = parseVxu(hl7).doses[0]!.dose;
    for (const f of ['recip_id', 'recip_first_name', 'recip_middle_name', 'recip_last_name'] as const)
      expect(back[f], `${name} ${f}`).toBe(dose[f]);
    for (const f of ['recip_address_street', 'recip_address_street_2', 'recip_address_city'] as const)
      expect(back[f], `${name} ${f}`).toBe(dose[f]);
  }
  // CDC's line, as CDC's validator splits it: 45 cells, each the value written.
  const record = cvrsRecord(dose, SECRET);
  const cells = OpenCsvParser.tab().parseLine(cvrsLine(record));
  expect(cells).toEqual(record);
  for (const f of ['admin_name', 'responsible_org', 'admin_address_street', 'admin_address_city'] as const)
    expect(cells[CVRS_FIELDS.indexOf(f)], f).toBe(dose[f] ?? '');
}

/** The answer travels: an ACK in a SOAP response, and a results CSV row that reads back as written. */
function answerEverywhere(issues: DoseVersion['findings'], id: string | null): void {
  const ack = buildAck({
    original: { messageControlId: 'M1', processingId: 'P' },
    ackCode: 'AE',
    errors: issues.map((f) => hl7Error('RXA^1', '102', 'E', f.message, { rule: f.code })),
    controlId: 'C1',
    sentAt: NOW,
  });
  const res = parseSoapResponse(buildSubmitSingleMessageResponse(ack));
  expect(res.kind === 'ack' && res.hl7).toBe(ack);
  expect(parseAck(ack).errors.map((e) => e.text)).toEqual(issues.map((f) => f.message));
  const rows: string[][] = parse(resultRows(2, [{ vax_event_id: id, status: 'rejected', issues }]));
  expect(rows).toHaveLength(1);
  expect(rows[0]![4]!.replace(/^'/, '')).toBe(
    issues.map((f) => `${f.severity} ${f.code} ${f.field}: ${f.message}`).join(' | '),
  );
}

describe('an accepted dose encodes in every outbound format (property)', () => {
  it('VXU, SOAP, CVRS and results CSV carry every dose intake stores, and every answer it gives', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(doseArb, async (input) => {
        const { deps, stored } = capturing();
        const out = await submitDoses([input], { role: 'site', iis_id: demoSite.iis_id }, NOW, deps);
        if (!out.ok) throw new Error('refused');
        const [result] = out.results;
        answerEverywhere(result!.issues, result!.vax_event_id);
        if (FREE_TEXT.some((f) => poisoned(input[f])))
          expect(result!.issues.map((f) => f.code)).toContain('DQ029');
        if (result!.status !== 'accepted') return;
        accepted++;
        expect(stored).toHaveLength(1);
        encodeEverywhere(stored[0]!);
        // DynamoDB stores UTF-8: a value that does not survive it would not be the dose that was hashed.
        expect(JSON.stringify(stored[0]!.dose).isWellFormed()).toBe(true);
      }),
      { numRuns: 300 },
    );
    // The property says something only if doses with wild text get in.
    expect(accepted).toBeGreaterThan(30);
  });
});
