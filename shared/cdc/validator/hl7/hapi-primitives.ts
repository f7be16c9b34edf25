// HAPI's default validation of primitives: the corrections it makes and the values it refuses.

import { CdcHl7Rejection } from './cvrs-record.ts';

/** The HAPI primitive type a value is parsed into; only these carry a default validation rule or correction. */
export type Primitive = 'ST' | 'TX' | 'FT' | 'ID' | 'IS' | 'NM' | 'SI' | 'DT' | 'TM' | 'DTM' | 'other';

const RULES: Partial<Record<Primitive, { test: RegExp; what: string }>> = {
  NM: { test: /^(?:\+|-)?\d*\.?\d*$/, what: 'a number' },
  SI: { test: /^\d*$/, what: 'a non-negative integer' },
  DT: { test: /^(?:\d{4}(?:[01]\d(?:\d{2})?)?)?$/, what: 'an HL7 date' },
  TM: {
    test: /^(?:[012]\d(?:[0-5]\d(?:[0-5]\d(?:\.\d(?:\d(?:\d(?:\d)?)?)?)?)?)?)?(?:[+-]\d{4})?$/,
    what: 'an HL7 time',
  },
  DTM: {
    test: /^(?:\d{4}(?:[01]\d(?:\d{2}(?:[012]\d(?:[0-5]\d(?:[0-5]\d(?:\.\d(?:\d(?:\d(?:\d)?)?)?)?)?)?)?)?)?)?(?:[+-]\d{4})?$/,
    what: 'an HL7 date/time',
  },
};

/** Java's \s (space, TAB, LF, VT, FF, CR), which is what HAPI's trimming rules strip. */
const isJavaSpace = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d);

function trimStart(v: string): string {
  let i = 0;
  while (i < v.length && isJavaSpace(v.charCodeAt(i))) i++;
  return v.slice(i);
}

function trimEnd(v: string): string {
  let i = v.length;
  while (i > 0 && isJavaSpace(v.charCodeAt(i - 1))) i--;
  return v.slice(0, i);
}

/**
 * The value HAPI stores for a primitive of that type, after its default validation context: ST and FT lose leading
 * whitespace, TX trailing; a value failing its type's rule aborts the parse, which in CDC's tool ends the run.
 */
export function primitive(value: string, type: Primitive, where: string): string {
  let v = value;
  if (type === 'ST' || type === 'FT') v = trimStart(v);
  if (type === 'TX') v = trimEnd(v);
  const empty = v === '' || v === '""';
  if ((type === 'ID' || type === 'IS') && v.length > 200) {
    throw new CdcHl7Rejection(`${where} is longer than 200 characters; HAPI rejects the message`);
  }
  if (type === 'FT' && v.length > 32000) {
    throw new CdcHl7Rejection(`${where} is longer than 32000 characters; HAPI rejects the message`);
  }
  const rule = RULES[type];
  if (rule && !empty && !rule.test.test(v)) {
    throw new CdcHl7Rejection(`${where} (${v}) is not ${rule.what}; HAPI rejects the message`);
  }
  return v;
}

/** The primitive type of the first leaf of each v2.5.1 type an OBX-5 may declare in OBX-2. */
export const FIRST_LEAF: Record<string, Primitive> = {
  ST: 'ST',
  TX: 'TX',
  FT: 'FT',
  ID: 'ID',
  IS: 'IS',
  NM: 'NM',
  SI: 'SI',
  DT: 'DT',
  TM: 'TM',
  DTM: 'DTM',
  TS: 'DTM',
  DR: 'DTM',
  CE: 'ST',
  CWE: 'ST',
  CNE: 'ST',
  CF: 'ST',
  CX: 'ST',
  EI: 'ST',
  XPN: 'ST',
  PN: 'ST',
  XAD: 'ST',
  AD: 'ST',
  XCN: 'ST',
  CN: 'ST',
  XON: 'ST',
  RP: 'ST',
  SN: 'ST',
  HD: 'IS',
  ED: 'IS',
  CQ: 'NM',
  MO: 'NM',
  CP: 'NM',
  NA: 'NM',
  MA: 'NM',
};
/** Types HAPI 2.3 has a v2.5.1 class for; any other OBX-2 makes it throw while fixing OBX-5's type. */
export const V251_TYPES = new Set(
  (
    'AD AUI CCD CCP CD CE CF CNE CNN CP CQ CSU CWE CX DDI DIN DLD DLN DLT DR DT DTM DTN ED EI EIP ELD ERL FC FN FT ' +
    'GTS HD ICD ID IS JCC LA1 LA2 MA MO MOC MOP MSG NA NDL NM NR OCD OSD OSP PIP PL PLN PPN PRL PT PTA QIP QSC RCD ' +
    'RFR RI RMC RP RPT SAD SCV SI SN SPD SPS SRT ST TM TN TQ TS TX UVC VH VID VR WVI WVS XAD XCN XON XPN XTN'
  ).split(' '),
);
/** v2.5.1 primitives: HAPI re-parses these from its own re-encoding of OBX-5, the rest it parses as composites. */
export const PRIMITIVE_TYPES = new Set([
  'ST',
  'TX',
  'FT',
  'ID',
  'IS',
  'NM',
  'SI',
  'DT',
  'TM',
  'DTM',
  'TN',
  'GTS',
]);
