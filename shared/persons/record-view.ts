import { getHead } from '#doses/store.ts';
import type { Finding } from '#platform/findings.ts';
import { type Caller, ownSites } from '#sites/access.ts';
import { recordChecks } from './checks.ts';
import type { FullRecord } from './record.ts';
import type { Demographics, Forecast, RecordDose } from './types.ts';

/**
 * The consolidated record as a caller may see it (issue 14): every site's doses, collapsed and evaluated,
 * with what is due. Any enrolled site may read it, as with an IIS; another site's own identifiers (its event
 * IDs, its patient ID) and its reports' statuses stay with that site. Apart from record.ts so the nightly
 * follow-up run, which reads records but shows none, does not read the doses table.
 */

/** A dose of the record as a caller sees it: another site's own identifiers and statuses left out. */
export type DoseView = Omit<
  RecordDose,
  'vax_event_id' | 'stored_at' | 'registry_status' | 'cdc_status' | 'reported_by'
> & {
  vax_event_id?: string;
  reported_by: { iis_id: string; vax_event_id?: string }[];
  status?: { registry: string; cdc: string };
};

export interface PersonRecord {
  person_id: string;
  merged_from?: string[];
  demographics: Pick<
    Demographics,
    'first' | 'middle' | 'last' | 'dob' | 'sex' | 'zip' | 'street' | 'city' | 'state'
  >;
  doses: DoseView[];
  forecast: Forecast;
  /** Warnings about the caller's own reports against the record (all of them for the admin). */
  checks: Finding[];
}

// A sign-in for several sites owns the reports of each of them.
const isOwn = (who: Caller, iis: string) => who.role === 'admin' || ownSites(who).includes(iis);

/** The record as `who` sees it; own doses carry their event IDs and report statuses. */
export async function recordFor(r: FullRecord, who: Caller): Promise<PersonRecord> {
  const doses = await Promise.all(
    r.doses.map(async (d): Promise<DoseView> => {
      const reported_by = d.reported_by.map((x) => (isOwn(who, x.iis_id) ? x : { iis_id: x.iis_id }));
      const own = d.reported_by.find((x) => isOwn(who, x.iis_id));
      const head = own ? await getHead(own.iis_id, own.vax_event_id) : undefined;
      const { vax_event_id, stored_at: _stored, registry_status: _r, cdc_status: _c, ...rest } = d;
      return {
        ...rest,
        ...(isOwn(who, d.iis_id) ? { vax_event_id } : {}),
        reported_by,
        ...(head
          ? { status: { registry: head.registry_status ?? 'pending', cdc: head.cdc_status ?? 'pending' } }
          : {}),
      };
    }),
  );
  const reported = r.links.map((l) => l.dose).filter((d) => isOwn(who, d.iis_id));
  const checks = recordChecks(r.doses, reported).map(
    (c): Finding => ({
      code: c.code,
      severity: 'warning',
      field: c.field,
      message: `${c.iis_id}/${c.vax_event_id}: ${c.message}`,
    }),
  );
  const { first, middle, last, dob, sex, zip, street, city, state } = r.latest;
  return {
    person_id: r.person_id,
    ...(r.merged_from.length ? { merged_from: r.merged_from } : {}),
    demographics: Object.fromEntries(
      Object.entries({ first, middle, last, dob, sex, zip, street, city, state }).filter(([, v]) => v),
    ) as PersonRecord['demographics'],
    doses,
    forecast: r.forecast,
    checks,
  };
}
