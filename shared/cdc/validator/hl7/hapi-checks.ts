// Checks HAPI makes while parsing, before CDC reads anything: a failure rejects the message.

import { CdcHl7Rejection } from './cvrs-record.ts';
import { hapiSplit } from './hapi-escaping.ts';
import { leaf, type ParsedMessage } from './hapi-message.ts';
import type { Primitive } from './hapi-primitives.ts';
import { obxValue } from './obx.ts';

/** Date/time and numeric fields of the VXU segments whose malformed values make HAPI 2.3 refuse the message. */
const TYPED_FIELDS: Record<string, [number, Primitive][]> = {
  MSH: [[7, 'DTM']],
  PID: [
    [1, 'SI'],
    [7, 'DTM'],
    [29, 'DTM'],
    [33, 'DTM'],
  ],
  NK1: [[1, 'SI']],
  ORC: [[9, 'DTM']],
  RXA: [
    [1, 'NM'],
    [2, 'NM'],
    [3, 'DTM'],
    [4, 'DTM'],
    [6, 'NM'],
    [16, 'DTM'],
    [22, 'DTM'],
  ],
  OBX: [
    [1, 'SI'],
    [14, 'DTM'],
  ],
};

export function checkStructure(parsed: ParsedMessage): void {
  const msh = parsed.segments[0]!;
  const d = parsed.delimiters;
  const version = (msh.fields[12] ?? '').split(d.component)[0] ?? '';
  if (version !== '2.5.1') {
    throw new CdcHl7Rejection(
      `MSH-12 is "${version}": CDC's validator only carries HAPI's v2.5.1 structures and fails on other versions`,
    );
  }
  // HAPI takes MSH-9.3 when there are three components, else MSH-9.1_MSH-9.2 through its event map.
  const type = hapiSplit(msh.fields[9] ?? '', d.component);
  const structure = type.length >= 3 ? type[2]! : type.length === 2 ? `${type[0]}_${type[1]}` : '';
  if (structure !== 'VXU_V04') {
    throw new CdcHl7Rejection(
      `MSH-9 (${msh.fields[9] ?? ''}) is not a VXU_V04; CDC's converter cannot read it`,
    );
  }
}

export function checkPrimitives(parsed: ParsedMessage): void {
  const d = parsed.delimiters;
  for (const s of parsed.segments) {
    for (const [field, type] of TYPED_FIELDS[s.name] ?? []) {
      const reps = (s.fields[field] ?? '').split(d.repetition);
      for (let r = 1; r <= reps.length; r++) leaf(s, d, type, field, r);
    }
    if (s.name === 'OBX') obxValue(s, d);
  }
}
