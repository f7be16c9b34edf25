import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOT_IN_VXU, PLACEMENTS } from '#codecs/hl7/mapping.ts';
import { get, parseMessage } from '#codecs/hl7/message.ts';
import { type Action, buildVxu, parseVxu } from '#codecs/hl7/vxu.ts';
import { type Dose, type DoseField, RACE_FIELDS, REFUSAL_EMPTY_FIELDS } from '#doses/fields.ts';

/** Free text as a dose stores it (trimmed, non-empty), rich in HL7 delimiters, quotes and non-ASCII letters. */
const text = fc
  .string({
    unit: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('|', '^', '~', '\\', '&', '"', "'", ' ', '#', '-', '\n') },
      { weight: 5, arbitrary: fc.constantFrom(...'abcdefXYZ0189') },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    ),
    minLength: 1,
    maxLength: 24,
  })
  .map((s) => s.trim())
  // `""` alone is HL7's explicit null ("clear the value"); no name or street is that.
  .filter((s) => s !== '' && s !== '""');
/** Codes as a dose stores them: upper-case; a few HL7 delimiters too, to prove they are escaped. */
const code = fc.string({ unit: fc.constantFrom(...'ABCXYZ0129-', '^', '&'), minLength: 1, maxLength: 10 });
const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const isoDay = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const ndc = fc.tuple(digits(5), digits(4), digits(2)).map((p) => p.join('-'));
const zip = fc.oneof(
  digits(5),
  fc.tuple(digits(5), digits(4)).map(([a, b]) => `${a}-${b}`),
);
const yesNoUnk = fc.constantFrom('YES', 'NO', 'UNK');
const races = fc.array(
  fc.constantFrom('1002-5', '2028-9', '2054-5', '2076-8', '2106-3', '2131-1', 'UNK', 'POL'),
  {
    maxLength: 6,
  },
);

/** Every mapped field; absent keys are what the dose does not know. */
const doseArb = fc
  .tuple(
    fc.record(
      {
        vax_event_id: text,
        iis_id: code,
        vax_refusal: fc.constantFrom('YES', 'NO'),
        recip_id: text,
        recip_first_name: text,
        recip_middle_name: text,
        recip_last_name: text,
        recip_dob: isoDay,
        recip_sex: fc.constantFrom('F', 'M', 'U'),
        recip_address_street: text,
        recip_address_street_2: text,
        recip_address_city: text,
        recip_address_county: digits(5),
        recip_address_state: fc.constantFrom('CA', 'NV', 'OR'),
        recip_address_zip: zip,
        recip_ethnicity: fc.constantFrom('2135-2', '2186-5', 'UNK', 'POL'),
        admin_date: isoDay,
        cvx: fc.oneof(fc.constantFrom('207', '208', '212', '213', '900'), code),
        ndc,
        mvx: fc.oneof(fc.constantFrom('MOD', 'PFR', 'JSN', 'AAA'), code),
        lot_number: code,
        vax_expiration: fc.oneof(
          isoDay,
          isoDay.map((d) => d.slice(0, 7)),
        ),
        vax_admin_site: fc.oneof(fc.constantFrom('LD', 'RD', 'LA', 'RT'), code),
        vax_route: fc.oneof(fc.constantFrom('C28161', 'IM', 'SC', 'C38299'), code),
        dose_num: fc.constantFrom('1', '2', '3', '6', '12', 'INV', 'UNK'),
        vax_series_complete: yesNoUnk,
        vtrcks_prov_pin: code,
        admin_type: fc.constantFrom('1', '17', '28', 'UNK'),
        admin_address_street: text,
        admin_address_street_2: text,
        admin_address_city: text,
        admin_address_county: digits(5),
        admin_address_state: fc.constantFrom('CA', 'AZ'),
        admin_address_zip: zip,
        cmorbid_status: yesNoUnk,
        serology: yesNoUnk,
      },
      { requiredKeys: ['vax_event_id', 'iis_id', 'vax_refusal', 'cvx'] },
    ),
    races,
  )
  .map(([d, raceCodes]) => {
    const dose: Record<string, string> = { ...d };
    raceCodes.forEach((r, i) => {
      dose[RACE_FIELDS[i]!] = r;
    });
    // CVRS: a refusal carries no product, lot, site, route or dose fields.
    if (dose.vax_refusal === 'YES') for (const f of REFUSAL_EMPTY_FIELDS) delete dose[f];
    return dose as Dose;
  });

const inputArb = fc.record({
  dose: doseArb,
  action: fc.constantFrom<Action>('A', 'U', 'D'),
  processingId: fc.constantFrom<'P' | 'T'>('P', 'T'),
  messageControlId: code,
  sendingFacility: code,
  responsibleOrg: code,
  receivingFacility: fc.constantFrom('CAIRBA', 'CAIRLA', 'RIDE'),
  sentAt: fc.date({
    min: new Date('2020-12-01T00:00:00Z'),
    max: new Date('2030-01-01T00:00:00Z'),
    noInvalidDate: true,
  }),
});

const NOT_WRITTEN = PLACEMENTS.filter((p) => p.notWritten !== undefined).map((p) => p.field);
const CDCREC = /^\d{4}-\d$/;

/**
 * The dose as a registry can read it back: what Z22 has no place for is left out on purpose (see mapping.ts and
 * vxu-build.ts), and a refusal's ID travels in ORC-2, since ORC-3 is 9999 for every refusal.
 */
function afterTrip(dose: Dose): Partial<Dose> {
  const out: Record<string, string | undefined> = { ...dose };
  for (const f of NOT_WRITTEN) delete out[f];
  const races = RACE_FIELDS.map((f) => dose[f]).filter((r): r is string => !!r && CDCREC.test(r));
  for (const [i, f] of RACE_FIELDS.entries()) {
    if (races[i]) out[f] = races[i];
    else delete out[f];
  }
  if (dose.recip_ethnicity && !CDCREC.test(dose.recip_ethnicity)) delete out.recip_ethnicity;
  if (dose.dose_num && !/^\d+$/.test(dose.dose_num)) delete out.dose_num;
  if (!dose.vax_route) delete out.vax_admin_site;
  if (dose.vax_refusal === 'YES') delete out.vax_event_id;
  return out as Partial<Dose>;
}

describe('VXU round trip', () => {
  it('parses back every mapped field of any dose, administered or refused, that Z22 can carry', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const text = buildVxu(input);
        const parsed = parseVxu(text);
        expect(parsed.doses).toHaveLength(1);
        const [out] = parsed.doses;
        const { vax_event_id, ...rest } = out!.dose;
        expect(input.dose.vax_refusal === 'YES' ? rest : out!.dose).toEqual(afterTrip(input.dose));
        if (input.dose.vax_refusal === 'YES') {
          expect(get(parseMessage(text), 'ORC-3.1')).toBe('9999');
          expect(get(parseMessage(text), 'ORC-2.1')).toBe(input.dose.vax_event_id);
        } else expect(vax_event_id).toBe(input.dose.vax_event_id);
        expect(out!.action).toBe(input.action);
        expect(out!.rxaIndex).toBe(1);
        expect(parsed.messageControlId).toBe(input.messageControlId);
        expect(parsed.sendingFacility).toBe(input.sendingFacility);
        expect(parsed.responsibleOrg).toBe(input.responsibleOrg);
        expect(parsed.receivingFacility).toBe(input.receivingFacility);
        expect(parsed.processingId).toBe(input.processingId);
        expect(parsed.sentAt?.getTime()).toBe(Math.floor(input.sentAt.getTime() / 1000) * 1000);
      }),
      { numRuns: 500 },
    );
  });

  it('reads no error back from a message built for a complete dose', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = input.dose;
        fc.pre(!!(d.recip_id && d.recip_last_name && d.recip_first_name && d.recip_dob && d.admin_date));
        fc.pre(d.vax_refusal === 'YES' || input.action === 'D' || !!d.lot_number);
        expect(parseVxu(buildVxu(input)).errors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('carries the per-message extras: VFC, funding, amount, information source, refusal reason', () => {
    fc.assert(
      fc.property(
        doseArb,
        fc.constantFrom('V01', 'V02', 'V03', 'V04', 'V05', 'V07'),
        fc.constantFrom('VXC50', 'VXC51', 'PHC70'),
        fc.constantFrom('0.5', '0.25', '0.3'),
        fc.constantFrom('00', '01', '02'),
        fc.constantFrom('00', '01', '02', '03'),
        (dose, vfc, funding, amount, source, reason) => {
          const input = {
            dose,
            action: 'A' as const,
            processingId: 'P' as const,
            messageControlId: 'M',
            sendingFacility: 'S',
            responsibleOrg: 'S',
            sentAt: new Date('2021-03-10T20:00:00Z'),
            vfcEligibility: vfc,
            fundingSource: funding,
            administeredAmount: amount,
            informationSource: source,
            refusalReason: reason,
          };
          const [out] = parseVxu(buildVxu(input)).doses;
          if (dose.vax_refusal === 'YES') {
            expect(out).toMatchObject({ refusalReason: reason });
            expect(out).not.toHaveProperty('vfcEligibility');
            expect(out).not.toHaveProperty('administeredAmount');
          } else {
            expect(out).toMatchObject({
              vfcEligibility: vfc,
              fundingSource: funding,
              administeredAmount: amount,
              informationSource: source,
            });
            expect(out).not.toHaveProperty('refusalReason');
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves out only the fields mapping.ts says no VXU carries or we do not write', () => {
    const all = { ...doseOf('YES'), ...doseOf('NO') };
    for (const f of Object.keys(NOT_IN_VXU) as DoseField[]) all[f] = 'X';
    // Values every registry binding takes, so that only the mapping decides what is lost.
    Object.assign(all, { recip_ethnicity: '2186-5', dose_num: '2', vax_route: 'C28161' });
    for (const f of RACE_FIELDS) if (all[f]) all[f] = '2106-3';
    const out = parseVxu(
      buildVxu({
        dose: { ...all, vax_refusal: 'NO' } as Dose,
        action: 'A',
        processingId: 'P',
        messageControlId: 'M',
        sendingFacility: 'S',
        responsibleOrg: 'S',
        sentAt: new Date(),
      }),
    ).doses[0]!.dose;
    const lost = Object.keys(all).filter((f) => !(f in out));
    expect(lost.sort()).toEqual([...Object.keys(NOT_IN_VXU), ...NOT_WRITTEN].sort());
  });
});

function doseOf(refusal: 'YES' | 'NO'): Record<string, string> {
  return fc.sample(
    doseArb.filter((d) => d.vax_refusal === refusal && Object.keys(d).length > 30),
    { numRuns: 1, seed: 7 },
  )[0] as unknown as Record<string, string>;
}
