/**
 * VXU in: an EHR's HL7 v2.5.1 VXU^V04 goes through the same intake as JSON doses (rules, storage, outbox to the
 * registry and CDC queues), and the answer is an ACK^V04 whose ERR segments place every finding at its HL7
 * location. Adds go through submitDoses; updates and deletes through the same change path as PUT and DELETE,
 * with the current head as If-Match: an EHR has no ETag, the message's RXA-21 is its intent.
 */
import { createHash, randomUUID } from 'node:crypto';
import { bodySite } from '#codecs/codesets/index.ts';
import { ruleHl7Codes } from '#codecs/hl7/findings.ts';
import {
  type AckCode,
  ackCodeFor,
  buildAck,
  type Hl7Error,
  type Hl7Severity,
  hl7Error,
  OBSERVATIONS,
  type ParsedDose,
  PLACEMENTS,
  parseMessage,
  parseVxu,
  value,
} from '#codecs/hl7/index.ts';
import type { Finding, Severity } from '#platform/findings.ts';
import { echo, finding, shown } from '#platform/findings.ts';
import { type Caller, resolveSites } from '#sites/access.ts';
import { type ChangeOutcome, type ChangeRequest, deleteDose, updateDose } from './change.ts';
import type { Dose, DoseField } from './fields.ts';
import { type DoseResult, defaultDeps, type IntakeDeps, submitDoses } from './submit.ts';

export interface VxuCounts {
  doses: number;
  accepted: number;
  rejected: number;
  duplicate: number;
}

export interface VxuOutcome {
  /** The ACK^V04 text to answer with. */
  ack: string;
  ackCode: AckCode;
  errors: Hl7Error[];
  counts: VxuCounts;
  /** The vax_event_ids of the message's doses, in order. */
  eventIds: string[];
}

export interface VxuOptions {
  /** Where the message came from ("upload:<id>:<row>"): each add records `<source>:<rxa>`, so a retry knows its own. */
  source?: string;
}

/** Where one RXA's group sits in the message: the sequence of its ORC and RXR, and of each OBX by question. */
export interface GroupSeqs {
  rxa: number;
  orc: number;
  rxr: number;
  obx: ReadonlyMap<string, number>;
}

// ---------------------------------------------------------------------------------------------------------------
// Findings → HL7 errors
// ---------------------------------------------------------------------------------------------------------------

const SEVERITY: Readonly<Record<Severity, Hl7Severity>> = { error: 'E', warning: 'W', info: 'I' };

/**
 * HL7 table 0357 for one of our finding codes, from the rule table (shared/codecs/hl7/findings.ts). A code outside it is
 * one this module makes itself: DOSE404, a delete of a dose never stored, is an unknown key (204).
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

// ---------------------------------------------------------------------------------------------------------------
// The use case
// ---------------------------------------------------------------------------------------------------------------

interface Pending {
  parsed: ParsedDose;
  group: GroupSeqs;
  /** Warnings for what intake of HL7 changed in the dose: RE fields defaulted, a value left out. */
  notes: Finding[];
}

/** A change raced with another one: it is tried again against the new head this many times. */
const CHANGE_ATTEMPTS = 3;

/**
 * Takes one VXU from a site (`caller`): parses it, applies the same rules as JSON doses, stores and publishes
 * the doses nothing rejects, and answers the ACK. Throws only on a storage failure, which the transport turns
 * into a Receiver fault so the sender tries again (stored doses are recognized as duplicates then).
 */
export async function receiveVxu(
  hl7: string,
  caller: { role: 'site'; iis_id: string },
  now: Date,
  deps: IntakeDeps = defaultDeps,
  options: VxuOptions = {},
): Promise<VxuOutcome> {
  const parsed = parseVxu(hl7);
  for (const d of parsed.doses) keyRefusal(d, caller.iis_id);
  const eventIds = parsed.doses.map((d) => d.dose.vax_event_id ?? '').filter((id) => id !== '');
  const parseErrors = parsed.errors;
  const ruleErrors: Hl7Error[] = [];
  const counts: VxuCounts = { doses: parsed.doses.length, accepted: 0, rejected: 0, duplicate: 0 };
  const messageRejected = ackCodeFor(parseErrors) === 'AR';

  if (!messageRejected) {
    const groups = groupSequences(hl7);
    const inGroup = new Set(parsed.doses.flatMap((d) => d.errors));
    // An error on MSH or PID concerns every dose of the message.
    const messageWide = parseErrors.some((e) => e.severity === 'E' && !inGroup.has(e));
    const blocked: Pending[] = [];
    const adds: Pending[] = [];
    const changes: Pending[] = [];
    for (const d of parsed.doses) {
      const p: Pending = {
        parsed: d,
        group: groups.get(d.rxaIndex) ?? fallbackGroup(d.rxaIndex),
        notes: d.action === 'D' ? [] : [...dropUnknownBodySite(d.dose), ...applyCdcDefaults(d.dose)],
      };
      if (messageWide || d.errors.some((e) => e.severity === 'E')) blocked.push(p);
      else if (d.action === 'A') adds.push(p);
      else changes.push(p);
    }
    const report = (p: Pending, findings: readonly Finding[]) => {
      for (const f of findings) ruleErrors.push(findingToHl7(f, p.group));
    };
    const tally = (status: DoseResult['status']) => {
      counts[status]++;
    };

    // Updates of a dose never stored are taken as adds: the EHR's first report may have gone elsewhere.
    for (const p of changes) {
      if (p.parsed.action !== 'U') continue;
      const id = p.parsed.dose.vax_event_id!;
      const head = await deps.getHead(p.parsed.dose.iis_id ?? caller.iis_id, id);
      if (!head) adds.push(p);
    }
    const addSet = new Set(adds);

    if (adds.length > 0) {
      const outcome = await submitDoses(
        adds.map((p) => ({ ...p.parsed.dose })),
        caller,
        now,
        deps,
        {
          forbidden: 'row',
          sources: options.source ? adds.map((p) => `${options.source}:${p.parsed.rxaIndex}`) : undefined,
          historical: adds.map((p) => isHistorical(p.parsed)),
          extraFindings: adds.map((p) => p.notes),
        },
      );
      if (!outcome.ok) throw new Error('submitDoses refused a row-level batch');
      outcome.results.forEach((r, i) => {
        report(adds[i]!, r.issues);
        tally(r.status);
      });
    }

    for (const p of changes) {
      if (addSet.has(p)) continue;
      const { findings, status } = await change(p.parsed, caller, now, deps);
      report(p, [...p.notes, ...findings]);
      tally(status);
    }

    // Doses the parser already rejects are not stored; their rule findings are still worth a reply, minus those
    // at a location the parser already reported.
    if (blocked.length > 0) {
      const dry = await submitDoses(
        blocked.map((p) => ({ ...p.parsed.dose })),
        caller,
        now,
        deps,
        {
          forbidden: 'row',
          dryRun: true,
          historical: blocked.map((p) => isHistorical(p.parsed)),
          extraFindings: blocked.map((p) => p.notes),
        },
      );
      const known = parseErrors.map((e) => fieldOf(e.location));
      if (dry.ok)
        dry.results.forEach((r, i) => {
          const p = blocked[i]!;
          for (const f of r.issues) {
            const err = findingToHl7(f, p.group);
            if (!known.includes(fieldOf(err.location))) ruleErrors.push(err);
          }
        });
      counts.rejected += blocked.length;
    }
  } else counts.rejected = parsed.doses.length;

  const errors = distinct([...parseErrors, ...ruleErrors]);
  // Rule findings are about the content: AE, never the AR that a message-level 207 of the parser's would mean.
  const ackCode: AckCode = messageRejected
    ? 'AR'
    : errors.some((e) => e.severity === 'E' || e.severity === 'W')
      ? 'AE'
      : 'AA';
  const ack = buildAck({
    original: {
      messageControlId: parsed.messageControlId,
      sendingApplication: parsed.sendingApplication,
      sendingFacility: parsed.sendingFacility,
      receivingApplication: parsed.receivingApplication,
      receivingFacility: parsed.receivingFacility,
      processingId: parsed.processingId,
    },
    ackCode,
    errors,
    controlId: randomUUID(),
    sentAt: now,
  });
  return { ack, ackCode, errors, counts, eventIds };
}

/** ORC-3 of a refusal, as the guide prescribes it (CDC IG R1.5, IZ-45): the same for every refusal. */
export const REFUSAL_ORDER_ID = '9999';

/**
 * A refusal sent with ORC-3 `9999` carries no ID of its own, so it is keyed by what makes it this refusal: the
 * site, the patient, the vaccine, the day and the reason. A site's second refusal gets an ID of its own instead of
 * clashing with the first, and the same refusal sent again gets the same ID, so it is a duplicate.
 */
export function refusalEventId(dose: Partial<Dose>, iisId: string, reason: string | undefined): string {
  const content = [iisId, dose.recip_id, dose.cvx, dose.admin_date, reason]
    .map((v) => (v ?? '').toUpperCase())
    .join('\u001f');
  return `RE-${createHash('sha256').update(content).digest('hex').slice(0, 24).toUpperCase()}`;
}

function keyRefusal(d: ParsedDose, callerIisId: string): void {
  if (d.dose.vax_refusal !== 'YES' || d.dose.vax_event_id !== REFUSAL_ORDER_ID) return;
  d.dose.vax_event_id = refusalEventId(d.dose, d.dose.iis_id ?? callerIisId, d.refusalReason);
}

/**
 * What CDC's converter fills when a required field is empty (CDC IG's RE fields: race, ethnicity, dose number,
 * series status; and CVRS's yes/no/unknown questions), by whether the dose is a refusal. admin_type is left out
 * although CDC fills it too: the site's enrollment gives the real one.
 */
const UNK_WHEN_MISSING: readonly { field: DoseField; refusal: boolean }[] = [
  { field: 'recip_race_1', refusal: true },
  { field: 'recip_ethnicity', refusal: true },
  { field: 'dose_num', refusal: false },
  { field: 'vax_series_complete', refusal: false },
  { field: 'cmorbid_status', refusal: true },
  { field: 'serology', refusal: true },
];

/**
 * Fills the empty RE fields with `UNK`, as CDC's extract validator does with -d (shared/cdc/validator/hl7.ts
 * applyDefaults), and says so: a message without them is accepted with a warning instead of refused, and the
 * stored dose still has every field CDC requires.
 */
export function applyCdcDefaults(dose: Partial<Dose>): Finding[] {
  const refusal = dose.vax_refusal === 'YES';
  const out: Finding[] = [];
  for (const { field, refusal: alsoForRefusal } of UNK_WHEN_MISSING) {
    if (dose[field] !== undefined || (refusal && !alsoForRefusal)) continue;
    dose[field] = 'UNK';
    out.push(
      finding(
        refusal ? 'REQD002' : 'REQD001',
        field,
        `${field} was not sent; it is recorded as UNK (unknown), as CDC's converter does. Send it when it is known.`,
        'warning',
      ),
    );
  }
  return out;
}

/**
 * RXR-2 is RE in Z22: a body site HL7 table 0163 does not know is no reason to refuse the dose (NIST's test
 * expects a warning and acceptance), so it is left out and the sender warned. JSON and file intake keep CDC's
 * DATA007 error for the same value: there the site typed the field, CDC would refuse the record, and the site can
 * correct it; an EHR's interface sends what its tables hold.
 */
export function dropUnknownBodySite(dose: Partial<Dose>): Finding[] {
  const site = dose.vax_admin_site;
  if (site === undefined || bodySite(site)) return [];
  delete dose.vax_admin_site;
  return [
    finding(
      'DATA007',
      'vax_admin_site',
      `Body site ${echo(site)} is not in HL7 table 0163 (e.g. LD left deltoid, RA right arm); the dose is recorded without it.`,
      'warning',
    ),
  ];
}

/** RXA-9 (NIP001) says the record is not of a dose the sender gave now: 00 is a new record, 01–08 history. */
export function isHistorical(d: ParsedDose): boolean {
  const source = d.informationSource ?? '';
  return source !== '' && source !== '00';
}

/** Once each: a finding about the patient comes from every dose of the message, at the same PID location. */
function distinct(errors: readonly Hl7Error[]): Hl7Error[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = [e.location, e.code, e.severity, e.rule ?? '', e.text].join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function fallbackGroup(rxa: number): GroupSeqs {
  return { rxa, orc: rxa, rxr: rxa, obx: new Map() };
}

/** `SEG^seq^field` of a location, to tell whether two errors are about the same field. */
function fieldOf(location: string): string {
  return location.split('^').slice(0, 3).join('^');
}

/** An update (U) or delete (D) of a stored dose, against its current head. */
async function change(
  d: ParsedDose,
  caller: Caller & { iis_id: string },
  now: Date,
  deps: IntakeDeps,
): Promise<{ findings: Finding[]; status: DoseResult['status'] }> {
  const iisId = d.dose.iis_id ?? caller.iis_id;
  const id = d.dose.vax_event_id!;
  const noSuchDose = () =>
    rejected({
      code: 'DOSE404',
      severity: 'error',
      field: 'vax_event_id',
      message: `No dose ${shown(id)} is stored for ${shown(iisId)}; there is nothing to delete.`,
    });
  // Whether a site the caller may not write holds this ID is not the caller's to learn: its doses are not read, and
  // a delete there answers as a delete of an ID never stored, whether or not it exists (or was deleted) there.
  if (!(await resolveSites(caller, [iisId], deps.getSite)).ok) {
    return d.action === 'D'
      ? noSuchDose()
      : rejected(
          finding(
            'DQ023',
            'iis_id',
            `This submission may hold doses of ${caller.iis_id} and the sites that name it as their sending facility, not of ${shown(iisId)}.`,
          ),
        );
  }
  for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
    const head = await deps.getHead(iisId, id);
    // Only a delete gets here without a head: an update of an unknown dose was taken as an add.
    if (!head) return noSuchDose();
    if (d.action === 'D' && head.action === 'D') return { findings: [], status: 'duplicate' };
    const req: ChangeRequest = { caller, iis_id: iisId, vax_event_id: id, ifMatch: head.version, now };
    const out: ChangeOutcome =
      d.action === 'U'
        ? await updateDose(req, { ...d.dose }, deps, { historical: isHistorical(d) })
        : await deleteDose(req, deps);
    switch (out.kind) {
      case 'changed':
        return { findings: out.issues, status: 'accepted' };
      case 'unchanged':
        return { findings: [], status: 'duplicate' };
      case 'rejected':
        return { findings: out.issues, status: 'rejected' };
      case 'not-found':
      case 'forbidden':
        return rejected(
          finding(
            'DQ023',
            'iis_id',
            `This message may report doses of ${caller.iis_id} and the sites that name it as their sending facility, not of ${shown(iisId)}.`,
          ),
        );
      case 'gone':
        return rejected(
          finding(
            'DQ020',
            'vax_event_id',
            `Dose ${shown(id)} was deleted (version ${out.version}). A deleted dose cannot come back: report the event again under a new ID.`,
          ),
        );
      case 'precondition-failed':
        continue;
    }
  }
  throw new Error('dose change kept racing with other changes');
}

function rejected(f: Finding): { findings: Finding[]; status: 'rejected' } {
  return { findings: [f], status: 'rejected' };
}
