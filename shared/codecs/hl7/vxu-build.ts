/**
 * Writes one dose change as a VXU^V04 for a regional registry (CDC IG R1.5, profile Z22). Where each dose field
 * goes is mapping.ts; this is the message around it: header, patient, order, administration, route, observations.
 */
import type { Dose, DoseField } from '#doses/fields.ts';
import { RACE_FIELDS, REFUSAL_EMPTY_FIELDS } from '#doses/fields.ts';
import {
  type Coded,
  cvxCoded,
  FUNDING_SOURCE,
  hdOf,
  INFORMATION_SOURCE,
  ndcCoded,
  REFUSAL_REASON,
  raceCoded,
  tableCoded,
  VFC_ELIGIBILITY,
} from './codes.ts';
import { toHl7Date, toHl7Timestamp } from './dates.ts';
import {
  FUNDING_SOURCE_QUESTION,
  OBSERVATIONS,
  PLACEMENTS,
  type Placement,
  VFC_ELIGIBILITY_QUESTION,
  VFC_METHOD,
} from './mapping.ts';
import { formatMessage, parsePath, put, type Segment, segment } from './message.ts';
import { PROFILE, REFUSAL_REASON_DEFAULT, type VxuInput } from './vxu-types.ts';

const REFUSAL_EMPTY: ReadonlySet<string> = new Set(REFUSAL_EMPTY_FIELDS);

export function buildVxu(input: VxuInput): string {
  const refusal = input.dose.vax_refusal === 'YES';
  // CVRS says "do not populate" for a refusal's product fields; leaving them out keeps a registry from reading
  // a refusal as a dose with a lot.
  const dose = refusal ? omit(input.dose, REFUSAL_EMPTY) : input.dose;

  const hd = (namespace: string | undefined) =>
    namespace ? hdOf(namespace, input.hdOids?.[namespace]) : undefined;
  const msh = segment('MSH', [
    hd(input.sendingApplication),
    hd(input.sendingFacility),
    hd(input.receivingApplication),
    hd(input.receivingFacility),
    toHl7Timestamp(input.sentAt, input.timeZone),
    undefined,
    ['VXU', 'V04', 'VXU_V04'],
    input.messageControlId,
    input.processingId,
    '2.5.1',
    undefined,
    undefined,
    'ER',
    'AL',
    undefined,
    undefined,
    undefined,
    undefined,
    PROFILE,
    input.responsibleOrg,
  ]);
  const pid = segment('PID', ['1']);
  const orc = segment('ORC', ['RE']);
  const rxa = segment('RXA', ['0', '1']);
  const rxr = segment('RXR', []);
  const bySegment: Record<string, Segment> = { PID: pid, ORC: orc, RXA: rxa, RXR: rxr };

  for (const p of PLACEMENTS) {
    const v = dose[p.field];
    if (v !== undefined && v !== '' && p.notWritten === undefined) place(bySegment, p, v);
  }

  if (dose.recip_id) {
    put(pid, '3.1', dose.recip_id);
    putSub(pid, '3.4', hd(dose.iis_id));
    put(pid, '3.5', 'MR');
  }
  if (dose.recip_last_name || dose.recip_first_name || dose.recip_middle_name) put(pid, '5.7', 'L');
  const races = RACE_FIELDS.map((f) => dose[f])
    .map((code) => (code ? raceCoded(code) : undefined))
    .filter((coded): coded is Coded => coded !== undefined);
  for (const [i, coded] of races.entries()) putCoded(pid, `10[${i + 1}]`, coded);
  if (
    hasAny(dose, ['recip_address_street', 'recip_address_city', 'recip_address_state', 'recip_address_zip'])
  ) {
    put(pid, '11.6', 'USA');
    put(pid, '11.7', 'P');
  }

  put(orc, '3.2', dose.iis_id);
  if (refusal) {
    // No order was filled for a refusal, so the guide fixes its filler order number (ORC-3.1 9999, IZ-45); our
    // ID, which a registry may need to update or delete the refusal, goes where the registry's config says.
    put(orc, '3.1', '9999');
    if ((input.refusalIdAt ?? 'ORC-2') === 'ORC-2') {
      put(orc, '2.1', dose.vax_event_id);
      put(orc, '2.2', dose.iis_id);
    }
  }

  writeProduct(rxa, dose, refusal);
  const amount = refusal ? undefined : input.administeredAmount;
  put(rxa, '6', amount ?? '999');
  if (amount) putCoded(rxa, '7', ['mL', 'milliliters', 'UCUM']);
  if (!refusal) putCoded(rxa, '9', tableCoded(INFORMATION_SOURCE, input.informationSource ?? '00', 'NIP001'));
  if (dose.iis_id) putSub(rxa, '11.4', hd(dose.iis_id));
  if (refusal) {
    putCoded(rxa, '18', tableCoded(REFUSAL_REASON, input.refusalReason ?? REFUSAL_REASON_DEFAULT, 'NIP002'));
  }
  put(rxa, '20', refusal ? 'RE' : 'CP');
  put(rxa, '21', input.action);

  const segments = [msh, pid, orc, rxa];
  // RXR-1 (route) is required in an RXR, so a site without a route cannot be sent; a refusal has neither.
  if (!refusal && dose.vax_route) segments.push(rxr);
  segments.push(...observations(input, dose, refusal));
  return formatMessage(segments);
}

function place(bySegment: Record<string, Segment>, p: Placement, v: string): void {
  if (p.kind === 'custom') return;
  const path = parsePath(p.at);
  const target = bySegment[path.segment];
  if (target === undefined) throw new Error(`No ${path.segment} segment for ${p.field}`);
  if (p.kind === 'coded') {
    const coded = p.coder!(v);
    if (coded) putCoded(target, String(path.field), coded);
  } else if (p.kind === 'date' || p.kind === 'month-date') put(target, p.at, toHl7Date(v));
  else put(target, p.at, p.toHl7 ? p.toHl7(v) : v);
}

function putCoded(target: Segment, at: string, coded: readonly string[], firstComponent = 1): void {
  for (const [i, v] of coded.entries()) put(target, `${at}.${firstComponent + i}`, v);
}

/** An HD inside a component (RXA-11.4, PID-3.4): its parts are subcomponents. */
function putSub(target: Segment, at: string, parts: readonly string[] | undefined): void {
  for (const [i, v] of (parts ?? []).entries()) put(target, `${at}.${i + 1}`, v);
}

/** RXA-5: CVX first, NDC as the alternate triplet; an NDC alone goes first so the field is never headless. */
function writeProduct(rxa: Segment, dose: Partial<Dose>, refusal: boolean): void {
  const ndc = refusal ? undefined : dose.ndc;
  if (dose.cvx) putCoded(rxa, '5', cvxCoded(dose.cvx));
  if (ndc) putCoded(rxa, '5', ndcCoded(ndc), dose.cvx ? 4 : 1);
}

function observations(input: VxuInput, dose: Partial<Dose>, refusal: boolean): Segment[] {
  const out: Segment[] = [];
  const date = dose.admin_date ? toHl7Date(dose.admin_date) : undefined;
  // Each observation answers its own question, so each gets its own OBX-4 sub-ID; a second OBX sharing a
  // sub-ID would tell the registry the two belong together (as VIS type and date do).
  const add = (
    type: string,
    question: readonly string[],
    answer: readonly string[],
    method?: readonly string[],
    units?: readonly string[],
  ) => {
    const n = String(out.length + 1);
    out.push(
      segment('OBX', [
        n,
        type,
        question,
        n,
        answer,
        units,
        undefined,
        undefined,
        undefined,
        undefined,
        'F',
        undefined,
        undefined,
        date,
        undefined,
        undefined,
        method,
      ]),
    );
  };
  if (!refusal && input.vfcEligibility) {
    add(
      'CE',
      VFC_ELIGIBILITY_QUESTION,
      tableCoded(VFC_ELIGIBILITY, input.vfcEligibility, 'HL70064'),
      VFC_METHOD,
    );
  }
  if (!refusal && input.fundingSource) {
    add('CE', FUNDING_SOURCE_QUESTION, tableCoded(FUNDING_SOURCE, input.fundingSource, 'CDCPHINVS'));
  }
  for (const o of OBSERVATIONS) {
    const v = dose[o.field];
    if (!v || (refusal && o.administeredOnly)) continue;
    const answer = o.answer(v);
    if (answer) add(answer.type, o.question, answer.value, undefined, answer.units);
  }
  return out;
}

function omit(dose: Dose, fields: ReadonlySet<string>): Dose {
  const out = { ...dose };
  for (const f of fields) delete out[f as DoseField];
  return out;
}

function hasAny(dose: Partial<Dose>, fields: readonly DoseField[]): boolean {
  return fields.some((f) => !!dose[f]);
}
