/**
 * Coded values as HL7 writes them (CE/CWE `code^label^system`): which coding system a dose code belongs to, and
 * its label. Labels come from the code sets where the pipeline keeps them; a code the sets do not know is still
 * sent, with an empty label, because the registry, not the codec, decides what it accepts.
 */
import { bodySite, cvx, cvxLabel, ethnicity, mvx, ndc, race, route } from '../codesets/index.ts';

export type Coded = readonly [code: string, label: string, system: string];

const CDCREC = /^\d{4}-\d$/;

export function cvxCoded(code: string): Coded {
  return [code, cvxLabel(code) ?? '', 'CVX'];
}

/** An NDC has no label of its own in the code sets; the vaccine it holds names it well enough. */
export function ndcCoded(code: string): Coded {
  const entry = ndc(code);
  return [code, entry ? (cvxLabel(entry.cvx) ?? '') : '', 'NDC'];
}

export function mvxCoded(code: string): Coded {
  return [code, mvx(code)?.label ?? '', 'MVX'];
}

/**
 * PID-10 and PID-22 are bound to CDCREC alone (Z22: CDCREC_R_IZ, CDCREC_E_IZ). CVRS's UNK and POL and the legacy
 * HL7 0005/0189 letters have no code there, and both fields are RE: left empty they conform, coded in another
 * system they do not. So only a CDCREC code is written.
 */
export function raceCoded(code: string): Coded | undefined {
  return CDCREC.test(code) ? [code, race(code)?.label ?? '', 'CDCREC'] : undefined;
}

export function ethnicityCoded(code: string): Coded | undefined {
  return CDCREC.test(code) ? [code, ethnicity(code)?.label ?? '', 'CDCREC'] : undefined;
}

/** HL7 0001 as Z22 constrains it (HL70001_IZ): F, M, U. Anything else (CVRS allows none, the AIRA set has O) is U. */
const SEX_IZ: ReadonlySet<string> = new Set(['F', 'M', 'U']);

export function sexForHl7(code: string): string {
  return SEX_IZ.has(code) ? code : 'U';
}

/**
 * A COVID-19 product's dose volume in mL, as its CVX descriptor states it ("30 mcg/0.3 mL dose"); undefined for
 * a CVX whose descriptor names no volume (unspecified, non-US). The code sets keep no separate volume column, and
 * the descriptor is CDC's own wording of the product, so it is read from there.
 */
export function doseVolumeMl(cvxCode: string): string | undefined {
  const label = cvx(cvxCode)?.label;
  const m = label ? /(\d+(?:\.\d+)?)\s*mL\b/.exec(label) : null;
  return m ? m[1] : undefined;
}

/**
 * OBX-6 for a count such as the dose number: OBX-6 is required with an NM value (Z22), and a count has no unit,
 * which HL7 0353 says as NA (the binding is UCUM_0353_IZ).
 */
export const NO_UNITS: Coded = ['NA', 'Not applicable', 'HL70353'];

/**
 * An HD (MSH-4, RXA-11.4, PID-3.4, …) as Z22 allows it: HD.2 an ISO OID with HD.3 `ISO`, or both left out.
 * A universal ID that is not an OID is dropped rather than sent under another type.
 */
export function hdOf(namespace: string, universalId?: string): readonly string[] {
  return universalId && OID.test(universalId) ? [namespace, universalId, 'ISO'] : [namespace];
}

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;

/** CVRS allows both route tables; the code says which (NCIt concept codes are `C` + digits). */
export function routeCoded(code: string): Coded {
  const entry = route(code);
  const ncit = entry ? entry.system === 'NCIT' : /^C\d+$/.test(code);
  return [code, entry?.label ?? '', ncit ? 'NCIT' : 'HL70162'];
}

export function bodySiteCoded(code: string): Coded {
  return [code, bodySite(code)?.label ?? '', 'HL70163'];
}

/** CVRS YES/NO/UNK as HL7 yes/no (table 0136) with the null flavour for unknown. */
const YES_NO_UNK: Record<string, Coded> = {
  YES: ['Y', 'Yes', 'HL70136'],
  NO: ['N', 'No', 'HL70136'],
  UNK: ['UNK', 'Unknown', 'NULLFL'],
};

export function yesNoUnkCoded(value: string): Coded | undefined {
  return YES_NO_UNK[value];
}

/**
 * Reads a yes/no/unknown observation as senders write it: table 0136 (Y/N), the CVRS words (CDC's own converter
 * sends YES/NO), null flavours, and for series status the LOINC answers (LA13421-5 Complete; on schedule and
 * overdue mean not complete).
 */
export function readYesNoUnk(code: string): 'YES' | 'NO' | 'UNK' | undefined {
  switch (code.toUpperCase()) {
    case 'Y':
    case 'YES':
    case 'LA13421-5':
    case 'COMPLETE':
      return 'YES';
    case 'N':
    case 'NO':
    case 'LA13422-3':
    case 'LA13423-1':
      return 'NO';
    case 'UNK':
    case 'U':
    case 'ASKU':
    case 'NASK':
      return 'UNK';
    default:
      return undefined;
  }
}

/** NIP001 immunization information source (RXA-9). */
export const INFORMATION_SOURCE: Readonly<Record<string, string>> = {
  '00': 'New immunization record',
  '01': 'Historical information - source unspecified',
  '02': 'Historical information - from other provider',
  '03': "Historical information - from parent's written record",
  '04': "Historical information - from parent's recall",
  '05': 'Historical information - from other registry',
  '06': 'Historical information - from birth certificate',
  '07': 'Historical information - from school record',
  '08': 'Historical information - from public agency',
};

/** NIP002 substance refusal reason (RXA-18). */
export const REFUSAL_REASON: Readonly<Record<string, string>> = {
  '00': 'Parental decision',
  '01': 'Religious exemption',
  '02': 'Other',
  '03': 'Patient decision',
};

/** HL7 table 0064 financial class: VFC eligibility (OBX 64994-7). */
export const VFC_ELIGIBILITY: Readonly<Record<string, string>> = {
  V01: 'Not VFC eligible',
  V02: 'VFC eligible - Medicaid/Medicaid Managed Care',
  V03: 'VFC eligible - Uninsured',
  V04: 'VFC eligible - American Indian/Alaskan Native',
  V05: 'VFC eligible - Federally Qualified Health Center Patient (under-insured)',
  V07: 'Local-specific eligibility',
};

/** CDC PHIN VS immunization funding source (OBX 30963-3). */
export const FUNDING_SOURCE: Readonly<Record<string, string>> = {
  VXC1: 'Federal funds',
  VXC2: 'State funds',
  VXC3: 'Tribal funds',
  PHC68: 'Military funds',
  PHC70: 'Private funds',
  VXC50: 'Public',
  VXC51: 'Private',
};

export function tableCoded(table: Readonly<Record<string, string>>, code: string, system: string): Coded {
  return [code, table[code] ?? '', system];
}
