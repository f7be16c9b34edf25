/** Findings as HL7 errors: each at its location in the VXU (ERR-2), with HL7's condition code (ERR-3). */
import { ruleHl7Codes } from '#codecs/hl7/findings.ts';
import {
  type Hl7Error,
  type Hl7Severity,
  hl7Error,
  OBSERVATIONS,
  PLACEMENTS,
  parseMessage,
  value,
} from '#codecs/hl7/index.ts';
import type { Finding, Severity } from '#platform/findings.ts';

/** Where one RXA's group sits in the message: the sequence of its ORC and RXR, and of each OBX by question. */
export interface GroupSeqs {
  rxa: number;
  orc: number;
  rxr: number;
  obx: ReadonlyMap<string, number>;
}

const SEVERITY: Readonly<Record<Severity, Hl7Severity>> = { error: 'E', warning: 'W', info: 'I' };

/**
 * HL7 table 0357 for one of our finding codes, from the rule table (shared/codecs/hl7/findings.ts). A code outside it is
 * one VXU intake makes itself (vxu-change.ts): DOSE404, a delete of a dose never stored, is an unknown key (204).
 */
export function hl7ConditionFor(code: string): string {
  const known = ruleHl7Codes(code);
  if (known) return known.condition;
  if (code === 'DOSE404') return '204';
  return '207';
}

const AT = /^([A-Z][A-Z0-9]{2})-(\d+)(?:\[(\d+)\])?(?:\.(\d+))?(-\d+)?/;

/**
 * ERR-2 for a CVRS field of the dose in `group`: `SEG^seq^field`, with `^repetition^component` when the table
 * places the field in one component (a range such as RXA-5.1-3, the CVX triplet, is the whole field). Fields no
 * VXU carries point at the dose's RXA.
 */
export function hl7Location(field: string, group: GroupSeqs): string {
  const observation = OBSERVATIONS.find((o) => o.field === field);
  if (observation) {
    const seq = group.obx.get(observation.question[0]);
    return seq === undefined ? `RXA^${group.rxa}` : `OBX^${seq}^5`;
  }
  const placement = PLACEMENTS.find((p) => p.field === field);
  const m = placement ? AT.exec(placement.at) : null;
  if (!m) return `RXA^${group.rxa}`;
  const [, seg, fieldNo, rep, component, range] = m;
  const seq = seg === 'ORC' ? group.orc : seg === 'RXA' ? group.rxa : seg === 'RXR' ? group.rxr : 1;
  const base = `${seg}^${seq}^${fieldNo}`;
  if (component !== undefined && range === undefined) return `${base}^${rep ?? '1'}^${component}`;
  if (rep !== undefined) return `${base}^${rep}`;
  return base;
}

export function findingToHl7(f: Finding, group: GroupSeqs): Hl7Error {
  const application = ruleHl7Codes(f.code)?.application ?? (f.code === 'DOSE404' ? '3' : undefined);
  return hl7Error(hl7Location(f.field, group), hl7ConditionFor(f.code), SEVERITY[f.severity], f.message, {
    application,
    rule: f.code,
  });
}

/** The ORC, RXR and OBX sequence numbers of each RXA's group, keyed by the RXA's sequence (ParsedDose.rxaIndex). */
export function groupSequences(hl7: string): Map<number, GroupSeqs> {
  const out = new Map<number, GroupSeqs>();
  let segments: ReturnType<typeof parseMessage>['segments'];
  try {
    segments = parseMessage(hl7).segments;
  } catch {
    return out;
  }
  const seen = new Map<string, number>();
  let pendingOrc: number | undefined;
  let group: { rxa: number; orc: number; rxr: number; obx: Map<string, number> } | undefined;
  for (const s of segments) {
    const seq = (seen.get(s.id) ?? 0) + 1;
    seen.set(s.id, seq);
    if (s.id === 'ORC') {
      pendingOrc = seq;
      group = undefined;
    } else if (s.id === 'RXA') {
      group = { rxa: seq, orc: pendingOrc ?? seq, rxr: seq, obx: new Map() };
      out.set(seq, group);
      pendingOrc = undefined;
    } else if (s.id === 'RXR' && group && group.rxr === group.rxa) group.rxr = seq;
    else if (s.id === 'OBX' && group) {
      const question = value(s, 3, 1).trim().toUpperCase();
      if (!group.obx.has(question)) group.obx.set(question, seq);
    }
  }
  return out;
}

/** Once each: a finding about the patient comes from every dose of the message, at the same PID location. */
export function distinct(errors: readonly Hl7Error[]): Hl7Error[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = [e.location, e.code, e.severity, e.rule ?? '', e.text].join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function fallbackGroup(rxa: number): GroupSeqs {
  return { rxa, orc: rxa, rxr: rxa, obx: new Map() };
}

/** `SEG^seq^field` of a location, to tell whether two errors are about the same field. */
export function fieldOf(location: string): string {
  return location.split('^').slice(0, 3).join('^');
}
