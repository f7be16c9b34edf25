// OBX: the observations CDC reads, and how HAPI types their values.

import { CdcHl7Rejection } from './cvrs-record.ts';
import { type Delimiters, hapiEscape, hapiSplit, hapiUnescape } from './hapi-escaping.ts';
import { leaf, type RawSegment, rawLeaf } from './hapi-message.ts';
import { FIRST_LEAF, PRIMITIVE_TYPES, primitive, V251_TYPES } from './hapi-primitives.ts';
import { type GroupInstance, segmentIn } from './vxu-placement.ts';

/**
 * OBX-5 as CDC reads it (first repetition, first leaf) once HAPI has retyped it from OBX-2. A primitive type is
 * re-parsed from HAPI's re-encoding, so when components follow, its value is the first component still escaped.
 */
export function obxValue(obx: RawSegment, d: Delimiters): string {
  const obx2 = rawLeaf(obx, d, 2);
  const reps = hapiSplit(obx.fields[5] ?? '', d.repetition);
  if (obx2 === '') {
    // HAPI keeps an untyped OBX-5 only while each repetition is a lone empty value.
    const valued = reps.some(
      (rep) => hapiSplit(rep, d.component).length > 1 || (hapiSplit(rep, d.subcomponent)[0] ?? '') !== '',
    );
    if (valued) {
      throw new CdcHl7Rejection(
        'OBX-5 is valued but OBX-2 is not; HAPI cannot type it and rejects the message',
      );
    }
    return '';
  }
  if (!V251_TYPES.has(obx2)) {
    throw new CdcHl7Rejection(`OBX-2 (${obx2}) is not an HL7 v2.5.1 data type; HAPI rejects the message`);
  }
  const type = FIRST_LEAF[obx2] ?? 'other';
  if (!PRIMITIVE_TYPES.has(obx2)) return leaf(obx, d, type, 5);
  const encodedComponents = hapiSplit(reps[0] ?? '', d.component).map((c) =>
    hapiSplit(c, d.subcomponent)
      .map((s) => hapiEscape(hapiUnescape(s, d), d))
      .join(d.subcomponent),
  );
  while (encodedComponents.length > 0 && encodedComponents.at(-1) === '') encodedComponents.pop();
  const encoded = encodedComponents.join(d.component);
  const cut = encoded.includes(d.component)
    ? encoded.indexOf(d.component)
    : encoded.includes(d.subcomponent)
      ? encoded.indexOf(d.subcomponent)
      : -1;
  const value = cut >= 0 ? encoded.slice(0, cut) : hapiUnescape(encoded, d);
  return primitive(value, type, 'OBX-5');
}

/** Every OBX that opens an OBSERVATION group, in every ORDER group: the only ones CDC looks at. */
export function orderObservations(message: GroupInstance): RawSegment[] {
  const out: RawSegment[] = [];
  for (const order of (message.children.get('ORDER') ?? []) as GroupInstance[]) {
    for (const observation of (order.children.get('OBSERVATION') ?? []) as GroupInstance[]) {
      const obx = segmentIn(observation, 'OBX');
      if (obx) out.push(obx);
    }
  }
  return out;
}

/** The first order OBX whose OBX-3 code and coding system match (case-insensitively); its OBX-5, or ''. */
export function observed(obxs: readonly RawSegment[], d: Delimiters, code: string, system: string): string {
  for (const obx of obxs) {
    const id = leaf(obx, d, 'ST', 3, 1, 1);
    const sys = leaf(obx, d, 'ID', 3, 1, 3);
    if (id !== '' && id.toLowerCase() === code.toLowerCase() && sys.toLowerCase() === system.toLowerCase()) {
      return obxValue(obx, d);
    }
  }
  return '';
}
