/**
 * VXU in: an EHR's HL7 v2.5.1 VXU^V04 goes through the same intake as JSON doses (rules, storage, outbox to the
 * registry and CDC queues), and the answer is an ACK^V04 whose ERR segments place every finding at its HL7
 * location. Adds go through submitDoses; updates and deletes through the same change path as PUT and DELETE,
 * with the current head as If-Match: an EHR has no ETag, the message's RXA-21 is its intent (vxu-change.ts).
 * What HL7 intake does to a dose before the rules is in vxu-dose.ts; findings become ERR segments in vxu-errors.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Rejection } from '#analytics/rejections.ts';
import { hl7ErrorsToFindings } from '#codecs/hl7/findings.ts';
import {
  type AckCode,
  ackCodeFor,
  buildAck,
  type Hl7Error,
  type ParsedDose,
  parseVxu,
} from '#codecs/hl7/index.ts';
import type { Finding } from '#platform/findings.ts';
import { rejectionOf } from './rejections-log.ts';
import { type DoseResult, defaultDeps, type IntakeDeps, submitDoses } from './submit.ts';
import { vxuChange } from './vxu-change.ts';
import { applyCdcDefaults, dropUnknownBodySite, isHistorical, keyRefusal } from './vxu-dose.ts';
import {
  distinct,
  fallbackGroup,
  fieldOf,
  findingToHl7,
  type GroupSeqs,
  groupSequences,
} from './vxu-errors.ts';

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
  /**
   * The doses not stored, for the rejections log (the caller writes them with its other rejections, once per
   * request or chunk): sources `<options.source or soap:…>:<RXA index>`.
   */
  rejections: Rejection[];
}

export interface VxuOptions {
  /**
   * Where the message came from ("upload:<id>:<row>"): each add records `<source>:<rxa>`, so a retry knows its own;
   * rejected doses are logged under the same. Without it (SOAP), `soap:<sender>:<MSH-10>`.
   */
  source?: string;
}

interface Pending {
  parsed: ParsedDose;
  group: GroupSeqs;
  /** Warnings for what intake of HL7 changed in the dose: RE fields defaulted, a value left out. */
  notes: Finding[];
}

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
  const rejections: Rejection[] = [];
  const base = options.source ?? soapSource(hl7, parsed.messageControlId, caller.iis_id);
  const reject = (d: ParsedDose, findings: readonly Pick<Finding, 'code' | 'severity'>[]) => {
    rejections.push(
      rejectionOf({
        iis_id: d.dose.iis_id ?? caller.iis_id,
        sender: caller.iis_id,
        received: now,
        admin_date: d.dose.admin_date,
        action: d.action,
        findings,
        source: `${base}:${d.rxaIndex}`,
      }),
    );
  };

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
        if (r.status === 'rejected')
          reject(adds[i]!.parsed, [...hl7ErrorsToFindings(adds[i]!.parsed.errors), ...r.issues]);
      });
    }

    for (const p of changes) {
      if (addSet.has(p)) continue;
      const { findings, status } = await vxuChange(p.parsed, caller, now, deps);
      report(p, [...p.notes, ...findings]);
      tally(status);
      if (status === 'rejected')
        reject(p.parsed, [...hl7ErrorsToFindings(p.parsed.errors), ...p.notes, ...findings]);
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
      const wide = hl7ErrorsToFindings(parseErrors.filter((e) => !inGroup.has(e)));
      blocked.forEach((p, i) => {
        const rules = dry.ok ? (dry.results[i]?.issues ?? []) : [];
        reject(p.parsed, [...wide, ...hl7ErrorsToFindings(p.parsed.errors), ...rules]);
      });
      counts.rejected += blocked.length;
    }
  } else {
    counts.rejected = parsed.doses.length;
    const all = hl7ErrorsToFindings(parseErrors);
    for (const d of parsed.doses) reject(d, all);
  }

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
  return { ack, ackCode, errors, counts, eventIds, rejections };
}

/**
 * A SOAP message's source in the rejections log: sender and MSH-10, which an EHR keeps when it sends the
 * message again; a digest of the message when MSH-10 is missing or not a plain token.
 */
function soapSource(hl7: string, controlId: string, sender: string): string {
  const id = /^[\x21-\x7e]{1,64}$/.test(controlId)
    ? controlId
    : `#${createHash('sha256').update(hl7).digest('hex').slice(0, 32)}`;
  return `soap:${sender}:${id}`;
}
