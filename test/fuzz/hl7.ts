/**
 * (c) HL7 v2 VXU intake: the generic reader (shared/codecs/hl7/message.ts), the VXU→dose mapping (parseVxu), the rules
 * and the ACK (receiveVxu, with storage in memory). Messages are built from valid doses (identifying fields
 * carrying markers) by our own encoder and then broken: other encoding characters in MSH-1/MSH-2, segments
 * dropped, repeated, swapped or misnamed, unknown segments, other segment separators, escape sequences good and
 * bad, truncation, stray characters, 50,000-character fields.
 *
 * Invariants: hl7.no-crash (parseVxu never throws, receiveVxu only for storage, the ACK reads back),
 * hl7.ack-encodes (the ACK fits in a SOAP response),
 * hl7.no-patient-echo (no marker in the ACK's texts), hl7.echo-cap (no ERR text repeats more than 64 characters
 * of a dose value), hl7.accepted-encodes (every dose intake stores encodes as VXU, SOAP, CVRS and a results row).
 */
import fc from 'fast-check';
import { buildVxu, cairFacilities, parseAck, parseVxu } from '#codecs/hl7/index.ts';
import { buildSubmitSingleMessageResponse } from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { receiveVxu } from '#doses/vxu-intake.ts';
import { MAX_ECHO } from '#platform/findings.ts';
import { encodeProblems } from './encode.ts';
import { bump, type FuzzContext, type FuzzTarget, invariant, noCrash } from './harness.ts';
import { capturing, FUZZ_SITE } from './intake-deps.ts';
import {
  brief,
  IDENTIFYING,
  longString,
  marker,
  markerDate,
  markerForms,
  modernaDose,
  nastyText,
  overlongWindows,
} from './shapes.ts';

const NOW = new Date('2021-03-12T18:00:00Z');

export type Hl7Mutation =
  | { kind: 'encoding'; chars: string }
  | { kind: 'drop' | 'repeat' | 'misname'; segment: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'unknown-segment'; at: number; text: string }
  | { kind: 'separator'; sep: string }
  | { kind: 'escape'; at: number; seq: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string };

const mutationArb: fc.Arbitrary<Hl7Mutation> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('encoding' as const),
      chars: fc.oneof(
        fc.constantFrom(
          '#^~\\&',
          '|^~\\',
          '|^~\\&#',
          '||~\\&',
          '|^^\\&',
          '|',
          '',
          '|^~\\&\r',
          '|\u0000~\\&',
          '|é~\\&',
        ),
        fc.string({ maxLength: 6 }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('drop' as const, 'repeat' as const, 'misname' as const),
      segment: fc.nat(12),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(12), b: fc.nat(12) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('unknown-segment' as const),
      at: fc.nat(12),
      text: fc.constantFrom('ZZZ|1|2', 'Z|', 'PID', 'MSH|^~\\&|X', '|||', 'RXA|0|1', 'ORC|RE||', 'OBX|1|CE|'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('separator' as const),
      sep: fc.constantFrom('\n', '\r\n', '\n\r', '\r\r', ''),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('escape' as const),
      at: fc.nat(),
      seq: fc.constantFrom(
        '\\X0D\\',
        '\\X00\\',
        '\\XZZ\\',
        '\\F\\',
        '\\S\\',
        '\\T\\',
        '\\R\\',
        '\\E\\',
        '\\H\\',
        '\\N\\',
        '\\',
        '\\X',
        '\\Cxxyy\\',
        '\\.br\\',
        '&lt;',
        '&#0;',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: nastyText }),
  },
);

export interface Hl7Input {
  fields: Record<string, unknown>;
  markers: Record<string, string>;
  action: 'A' | 'U' | 'D';
  mutations: Hl7Mutation[];
}

export const hl7Input: fc.Arbitrary<Hl7Input> = fc
  .record({
    markers: fc.record(Object.fromEntries(IDENTIFYING.map((f) => [f, marker])), { requiredKeys: [] }),
    dob: markerDate,
    changes: fc.oneof(
      { weight: 2, arbitrary: fc.constant<Record<string, string>>({}) },
      {
        weight: 2,
        arbitrary: fc.dictionary(
          fc.constantFrom(
            'lot_number',
            'cvx',
            'mvx',
            'ndc',
            'vax_admin_site',
            'vax_route',
            'dose_num',
            'recip_sex',
            'recip_race_1',
            'recip_address_zip',
            'responsible_org',
            'admin_name',
            'vax_event_id',
          ),
          fc.oneof(nastyText, longString),
          { maxKeys: 2 },
        ),
      },
    ),
    action: fc.constantFrom('A' as const, 'A' as const, 'U' as const, 'D' as const),
    mutations: fc.oneof(
      { weight: 1, arbitrary: fc.constant<Hl7Mutation[]>([]) },
      { weight: 3, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) },
    ),
  })
  .map(({ markers, dob, changes, action, mutations }) => ({
    fields: { ...markers, recip_dob: dob, ...changes },
    markers: { ...(markers as Record<string, string>), recip_dob: dob },
    action,
    mutations,
  }));

let unique = 0;

/** The VXU our encoder writes for the dose, then broken as the mutations say. */
export function hl7Text(input: Hl7Input, id = 'FZ-HL7'): string {
  const dose = {
    iis_id: FUZZ_SITE,
    ...modernaDose({ vax_event_id: id, ...input.fields }),
  } as unknown as Dose;
  let text: string;
  try {
    text = buildVxu({
      messageControlId: `M-${id}`,
      sentAt: NOW,
      ...cairFacilities(FUZZ_SITE),
      processingId: 'P',
      action: input.action,
      dose,
    });
  } catch {
    // A value our encoder refuses (it cannot be sent): the message a careless EHR would write instead.
    text = `MSH|^~\\&|EHR|${FUZZ_SITE}|CAIR|CAIRBA|20210312100000-0800||VXU^V04^VXU_V04|M-${id}|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|${FUZZ_SITE}\rPID|1||${String(input.fields.recip_id ?? 'X')}^^^A^MR||${String(input.fields.recip_last_name ?? 'L')}^${String(input.fields.recip_first_name ?? 'F')}||19580722|F\rORC|RE||${id}^A\rRXA|0|1|20210310||207^Moderna^CVX|0.5|mL^mL^UCUM||00^New^NIP001\r`;
  }
  for (const m of input.mutations) {
    const segs = text.split('\r').filter((s) => s !== '');
    const pick = (n: number) => n % Math.max(segs.length, 1);
    switch (m.kind) {
      case 'encoding':
        text = text.replace(/^MSH\|\^~\\&/, `MSH${m.chars}`);
        continue;
      case 'drop':
        segs.splice(pick(m.segment), 1);
        break;
      case 'repeat':
        segs.splice(pick(m.segment), 0, segs[pick(m.segment)] ?? '');
        break;
      case 'misname': {
        const i = pick(m.segment);
        segs[i] = `${(segs[i] ?? '').slice(0, 2)}${(segs[i] ?? '').slice(3)}`;
        break;
      }
      case 'swap': {
        const [a, b] = [pick(m.a), pick(m.b)];
        [segs[a], segs[b]] = [segs[b]!, segs[a]!];
        break;
      }
      case 'unknown-segment':
        segs.splice(pick(m.at), 0, m.text);
        break;
      case 'separator':
        text = segs.join(m.sep) + m.sep;
        continue;
      case 'escape':
      case 'insert': {
        const at = m.at % (text.length + 1);
        text = text.slice(0, at) + (m.kind === 'escape' ? m.seq : m.text) + text.slice(at);
        continue;
      }
      case 'truncate':
        text = text.slice(0, m.at % (text.length + 1));
        continue;
    }
    text = `${segs.join('\r')}\r`;
  }
  return text;
}

async function check(input: Hl7Input, ctx: FuzzContext): Promise<void> {
  const text = hl7Text(input, `FZ-${process.pid}-${++unique}`);
  await noCrash(ctx, 'hl7.no-crash', () => parseVxu(text));
  const { deps, stored } = capturing();
  const out = await noCrash(ctx, 'hl7.no-crash', () =>
    receiveVxu(text, { role: 'site', iis_id: FUZZ_SITE }, NOW, deps),
  );
  if (!out) return;
  bump(ctx, `ack_${out.ackCode}`);
  const ack = await noCrash(ctx, 'hl7.no-crash', () => parseAck(out.ack));
  if (!ack) return;
  // The ACK goes back in a SOAP response: it must be text XML and UTF-8 carry.
  await noCrash(ctx, 'hl7.ack-encodes', () => buildSubmitSingleMessageResponse(out.ack));
  const said = `${out.errors.map((e) => e.text).join('\n')}\n${ack.errors.map((e) => e.text).join('\n')}`;
  for (const [field, value] of Object.entries(input.markers))
    for (const form of markerForms(value))
      invariant(
        ctx,
        'hl7.no-patient-echo',
        !said.includes(form),
        () => `${field} ${brief(value)} echoed in the ACK as ${brief(form)}`,
      );
  for (const v of Object.values(input.fields))
    if (typeof v === 'string')
      for (const w of overlongWindows(v, MAX_ECHO))
        invariant(
          ctx,
          'hl7.echo-cap',
          !said.includes(w),
          () => `an ERR repeats ${[...w].length}+ characters of a ${v.length}-character value`,
        );
  for (const v of stored) {
    bump(ctx, 'stored');
    const problems = encodeProblems(v.dose as Dose, v.findings);
    invariant(
      ctx,
      'hl7.accepted-encodes',
      problems.length === 0,
      () => `stored dose ${brief(v.dose)} does not encode: ${problems.join('; ')}`,
    );
  }
}

export const hl7Target: FuzzTarget<Hl7Input> = {
  name: 'hl7',
  covers:
    'parseMessage/parseVxu (shared/hl7), receiveVxu (rules, ACK) with storage in memory, parseAck; stored doses encoded (VXU, SOAP, CVRS, results row)',
  arbitrary: hl7Input,
  check,
  show: (input) => `${brief(input, 1000)}\n  message: ${brief(hl7Text(input, 'FZ-X'), 2000)}`,
};
