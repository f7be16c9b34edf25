import type { ParsedDose } from '#codecs/hl7/index.ts';
import { type Finding, finding, shown } from '#platform/findings.ts';
import { type Caller, resolveSites } from '#sites/access.ts';
import { type ChangeOutcome, type ChangeRequest, deleteDose, updateDose } from './change.ts';
import type { DoseResult, IntakeDeps } from './submit.ts';
import { isHistorical } from './vxu-dose.ts';

/** A change raced with another one: it is tried again against the new head this many times. */
const CHANGE_ATTEMPTS = 3;

/** An update (U) or delete (D) of a stored dose, against its current head. */
export async function vxuChange(
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
