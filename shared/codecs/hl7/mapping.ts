/**
 * Where each dose field sits in a VXU^V04 (CDC IG R1.5, Z22), in one table. Rows of kind text/code/date/coded are
 * written and read by the generic code in vxu.ts straight from this table; `custom` rows are listed here so the
 * table stays complete, and vxu.ts handles them by name.
 *
 * Placement follows CDC's CVRS→HL7 column (../reference/cvrs) except where CAIR's identifier rules take the slot:
 * RXA-11.4.1 and MSH-22 carry the site's CAIR Org Code (`iis_id`), not the names CVRS puts there.
 */
import type { DoseField } from '#doses/fields.ts';
import {
  bodySiteCoded,
  type Coded,
  ethnicityCoded,
  mvxCoded,
  NO_UNITS,
  routeCoded,
  sexForHl7,
  yesNoUnkCoded,
} from './codes.ts';

export type Kind =
  /** Free text, read trimmed. */
  | 'text'
  /** A code, read upper-cased (CVRS compares codes case-insensitively; doses store them upper-case). */
  | 'code'
  /** ISO date ↔ DTM `YYYYMMDD`. */
  | 'date'
  /** As `date`, and `YYYY-MM` ↔ `YYYYMM` too (an expiration may be month-only). */
  | 'month-date'
  /** `code^label^system`; read from component 1 (or 4, the alternate, when 1 is empty). */
  | 'coded'
  /** Handled by name in vxu.ts; `at` says where. */
  | 'custom';

export interface Placement {
  readonly field: DoseField;
  /** `SEG-field[.component[.subcomponent]]` for generic kinds; a description for `custom`. */
  readonly at: string;
  readonly kind: Kind;
  /** Undefined when the code has no place in the field's binding: the field is then left empty. */
  readonly coder?: (code: string) => Coded | undefined;
  /** Written only for administered doses (CVRS: "do not populate" for refusals). */
  readonly administeredOnly?: boolean;
  /** The value a registry is sent for the dose's code, where the profile's table is narrower than CVRS's. */
  readonly toHl7?: (value: string) => string;
  /**
   * Why the VXU we build leaves this field out although the reader still takes it where senders put it (CVRS's
   * HL7 column places it somewhere Z22 does not allow).
   */
  readonly notWritten?: string;
}

export const PLACEMENTS: readonly Placement[] = [
  { field: 'vax_event_id', at: 'ORC-3.1', kind: 'text' },
  { field: 'recip_id', at: 'PID-3.1 (repetition with CX.5 = MR; CX.4 = iis_id)', kind: 'custom' },
  { field: 'recip_last_name', at: 'PID-5.1', kind: 'text' },
  { field: 'recip_first_name', at: 'PID-5.2', kind: 'text' },
  { field: 'recip_middle_name', at: 'PID-5.3', kind: 'text' },
  { field: 'recip_dob', at: 'PID-7', kind: 'date' },
  { field: 'recip_sex', at: 'PID-8', kind: 'code', toHl7: sexForHl7 },
  { field: 'recip_race_1', at: 'PID-10[1] (CDCREC)', kind: 'custom' },
  { field: 'recip_race_2', at: 'PID-10[2]', kind: 'custom' },
  { field: 'recip_race_3', at: 'PID-10[3]', kind: 'custom' },
  { field: 'recip_race_4', at: 'PID-10[4]', kind: 'custom' },
  { field: 'recip_race_5', at: 'PID-10[5]', kind: 'custom' },
  { field: 'recip_race_6', at: 'PID-10[6]', kind: 'custom' },
  { field: 'recip_address_street', at: 'PID-11.1', kind: 'text' },
  { field: 'recip_address_street_2', at: 'PID-11.2', kind: 'text' },
  { field: 'recip_address_city', at: 'PID-11.3', kind: 'text' },
  { field: 'recip_address_state', at: 'PID-11.4', kind: 'code' },
  { field: 'recip_address_zip', at: 'PID-11.5', kind: 'text' },
  { field: 'recip_address_county', at: 'PID-11.9', kind: 'text' },
  { field: 'recip_ethnicity', at: 'PID-22', kind: 'coded', coder: ethnicityCoded },
  { field: 'admin_date', at: 'RXA-3', kind: 'date' },
  { field: 'cvx', at: 'RXA-5.1-3 (CVX triplet)', kind: 'custom' },
  { field: 'ndc', at: 'RXA-5.4-6 (NDC as the alternate triplet)', kind: 'custom', administeredOnly: true },
  { field: 'iis_id', at: 'RXA-11.4.1', kind: 'code' },
  {
    field: 'vtrcks_prov_pin',
    at: 'RXA-11.4.2',
    kind: 'code',
    notWritten:
      'RXA-11.4 is an HD: HD.2 must be an OID with HD.3 ISO (Z22 HD_IZ), and a VTrckS PIN is neither; CAIR knows the site by its Org Code in RXA-11.4.1. The PIN goes to CDC in the CVRS extract.',
  },
  {
    field: 'admin_type',
    at: 'RXA-11.6',
    kind: 'code',
    notWritten:
      "RXA-11.6 is HL7 0305 (person location type); CVRS's admin_type 1-28 is another list. It goes to CDC in the CVRS extract.",
  },
  { field: 'admin_address_street', at: 'RXA-11.9', kind: 'text' },
  { field: 'admin_address_street_2', at: 'RXA-11.10', kind: 'text' },
  { field: 'admin_address_city', at: 'RXA-11.11', kind: 'text' },
  { field: 'admin_address_state', at: 'RXA-11.12', kind: 'code' },
  { field: 'admin_address_zip', at: 'RXA-11.13', kind: 'text' },
  { field: 'admin_address_county', at: 'RXA-11.16', kind: 'text' },
  { field: 'lot_number', at: 'RXA-15', kind: 'code', administeredOnly: true },
  { field: 'vax_expiration', at: 'RXA-16', kind: 'month-date', administeredOnly: true },
  { field: 'mvx', at: 'RXA-17', kind: 'coded', coder: mvxCoded, administeredOnly: true },
  { field: 'vax_refusal', at: 'RXA-20 (NO → CP, YES → RE)', kind: 'custom' },
  { field: 'vax_route', at: 'RXR-1', kind: 'coded', coder: routeCoded, administeredOnly: true },
  { field: 'vax_admin_site', at: 'RXR-2', kind: 'coded', coder: bodySiteCoded, administeredOnly: true },
  { field: 'dose_num', at: 'OBX 30973-2', kind: 'custom', administeredOnly: true },
  { field: 'vax_series_complete', at: 'OBX 59783-1', kind: 'custom', administeredOnly: true },
  { field: 'cmorbid_status', at: 'OBX VXC8', kind: 'custom' },
  { field: 'serology', at: 'OBX 75505-8', kind: 'custom' },
];

/** Dose fields no VXU carries, and why. */
export const NOT_IN_VXU: Readonly<Partial<Record<DoseField, string>>> = {
  ext_type: 'CDC extract only (MSH-8 in the CVRS column); a registry message is always identified.',
  pprl_id: 'CDC extract only and "do not populate".',
  responsible_org:
    "A name; MSH-22 carries the responsible site's Org Code for CAIR. Filled from the site's enrollment.",
  admin_name:
    "A name; RXA-11.4.1 carries the administering site's Org Code for CAIR. Filled from the site's enrollment.",
};

/** An observation (OBX) a dose field becomes: the LOINC/PHIN question and how its answer is written. */
export interface Observation {
  readonly field: DoseField;
  readonly question: Coded;
  readonly administeredOnly: boolean;
  /** OBX-2 value type, OBX-5 and (for a number) OBX-6 for a dose value; undefined writes nothing. */
  readonly answer: (
    value: string,
  ) => { type: 'NM' | 'CE'; value: readonly string[]; units?: Coded } | undefined;
}

export const OBSERVATIONS: readonly Observation[] = [
  {
    field: 'dose_num',
    question: ['30973-2', 'Dose number in series', 'LN'],
    administeredOnly: true,
    // Z22 writes a dose number as NM, and an NM needs OBX-6. CVRS's INV and UNK are not numbers, and the only
    // code system for them (DCHDOSE, CDC's converter) is not in HL7 0396, so no OBX is sent: the registry
    // evaluates validity itself, and the observation is optional.
    answer: (v) => (/^\d+$/.test(v) ? { type: 'NM', value: [v], units: NO_UNITS } : undefined),
  },
  {
    field: 'vax_series_complete',
    question: ['59783-1', 'Status in immunization series', 'LN'],
    administeredOnly: true,
    answer: yesNoAnswer,
  },
  {
    field: 'cmorbid_status',
    question: ['VXC8', 'Member of Special Risk Group', 'CDCPHINVS'],
    administeredOnly: false,
    answer: yesNoAnswer,
  },
  {
    field: 'serology',
    question: ['75505-8', 'Serological Evidence of Immunity', 'LN'],
    administeredOnly: false,
    answer: yesNoAnswer,
  },
];

function yesNoAnswer(v: string): { type: 'CE'; value: readonly string[] } | undefined {
  const coded = yesNoUnkCoded(v);
  return coded ? { type: 'CE', value: coded } : undefined;
}

export const VFC_ELIGIBILITY_QUESTION: Coded = [
  '64994-7',
  'Vaccine funding program eligibility category',
  'LN',
];
export const FUNDING_SOURCE_QUESTION: Coded = ['30963-3', 'Vaccine funding source', 'LN'];
/** OBX-17 for 64994-7: the guide asks how eligibility was captured; per dose is what a dose record says. */
export const VFC_METHOD: Coded = ['VXC40', 'Eligibility captured at the immunization level', 'CDCPHINVS'];
