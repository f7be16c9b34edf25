/**
 * The nightly uptake job's unit of counting (issue 15): the consolidated person where the matcher linked the dose
 * (issue 14), else the site's own record of the recipient (site + patient ID), else the dose alone. Each unit
 * keeps the few facts of its doses that uptake needs, so a night recomputes a unit from its kept doses plus the
 * day's versions, never from the history.
 */
import { createHash } from 'node:crypto';
import type { DoseVersion } from '#doses/store.ts';
import { consolidate } from '#persons/consolidate.ts';
import type { PersonDose } from '#persons/types.ts';
import { localDate } from '#platform/dates.ts';
import { cellKey, cellOf } from '../cells.ts';
import { type Contribution, completeDay, contribution } from '../uptake.ts';

/** What a unit keeps of one dose: what consolidation and evaluation read, and the dose's own cell. */
export interface UnitDose extends PersonDose {
  version: number;
  /** The recipient's cell as this dose reported them, on its admin date (only the first dose's counts). */
  cell: string;
  /** The unit the dose is counted in when no person holds it (ownUnit). */
  own: string;
  deleted?: boolean;
}

export const unitOfPerson = (personId: string) => `P#${personId}`;
// A site's patient ID is an identifier: hashed, as a partition key may show where item contents do not.
export const unitOfRecipient = (iis: string, recipId: string) =>
  `S#${createHash('sha256').update(`${iis}#${recipId}`).digest('base64url').slice(0, 22)}`;
export const unitOfDose = (iis: string, event: string) => `E#${iis}#${event}`;
export const doseId = (d: { iis_id: string; vax_event_id: string }) => `${d.iis_id}#${d.vax_event_id}`;

/** The unit a version belongs to when no person holds it. */
export function ownUnit(v: DoseVersion): string {
  return v.dose.recip_id ? unitOfRecipient(v.iis_id, v.dose.recip_id) : unitOfDose(v.iis_id, v.vax_event_id);
}

export function unitDoseOf(v: DoseVersion): UnitDose {
  const d = v.dose;
  const opt = <K extends string>(k: K, value: string | undefined) => (value ? { [k]: value } : {});
  return {
    iis_id: v.iis_id,
    vax_event_id: v.vax_event_id,
    version: v.version,
    admin_date: d.admin_date ?? '',
    ...opt('cvx', d.cvx),
    ...opt('mvx', d.mvx),
    ...opt('ndc', d.ndc),
    ...opt('lot_number', d.lot_number),
    ...(d.vax_refusal === 'YES' ? { refusal: true } : {}),
    ...(v.historical ? { historical: true } : {}),
    ...(v.action === 'D' ? { deleted: true } : {}),
    stored_at: v.stored_at,
    cell: cellKey(cellOf(d, d.admin_date ?? '')),
    own: ownUnit(v),
  };
}

/** A fixed order, so equal units serialise to equal bytes. */
export const sortDoses = (doses: UnitDose[]) =>
  doses.sort((a, b) => (doseId(a) < doseId(b) ? -1 : doseId(a) > doseId(b) ? 1 : 0));

/**
 * What the unit adds to the counters: its doses consolidated (the same dose from two systems once), its
 * completion day evaluated on the consolidated record, its cell from its first counted dose.
 */
export function contributionOf(doses: readonly UnitDose[]): Contribution | undefined {
  const live = doses.filter((d) => !d.deleted);
  if (live.length === 0) return undefined;
  const record = consolidate(live);
  return contribution({
    person_id: '',
    doses: record.map((r) => ({
      iis_id: r.iis_id,
      vax_event_id: r.vax_event_id,
      admin_date: r.admin_date,
      ...(r.refusal ? { refusal: true } : {}),
      ...(r.historical ? { historical: true } : {}),
      cell: (r as unknown as UnitDose).cell,
    })),
    complete_day: completeDay(record),
  });
}

/** The California day a dose version was stored: a run counts only what was stored by the end of its day. */
export const storedDay = (d: { stored_at: string }) => localDate(new Date(d.stored_at));
