import { stringify } from 'csv-stringify/sync';
import type { ObjectStore } from '#platform/aws/objects.ts';
import { loadRecord } from './record.ts';
import { dueBy } from './store.ts';

/**
 * Reminder/recall (issue 14): as of a day, the people due or overdue for their next dose, per site that gave
 * them a dose (or saw them after a dose elsewhere), with the due date and where earlier doses were given; and
 * statewide, overdue next doses by county of residence. Files under follow-up/<day>/ in the reports bucket.
 */

export type FollowUpStatus = 'due' | 'overdue';

export interface FollowUpRow {
  person_id: string;
  status: FollowUpStatus;
  next_dose: number;
  due: string;
  overdue_after: string;
  cvx: string;
  /** The site's own patient ID and name for this person, as the site reported them (its own patient). */
  recip_id: string;
  first_name: string;
  last_name: string;
  dob: string;
  /** Earlier doses, where and when: "2026-01-05 208 at SITEA; …". */
  earlier_doses: string;
}

export interface CountyRow {
  county: string;
  next_dose: number;
  overdue: number;
  due: number;
}

export const followUpKey = (day: string, name: string) => `follow-up/${day}/${name}`;
export const siteFile = (day: string, iis: string, ext: 'json' | 'csv') =>
  followUpKey(day, `sites/${iis}.${ext}`);

const COLUMNS: (keyof FollowUpRow)[] = [
  'person_id',
  'status',
  'next_dose',
  'due',
  'overdue_after',
  'cvx',
  'recip_id',
  'first_name',
  'last_name',
  'dob',
  'earlier_doses',
];

export const rowsCsv = (rows: readonly FollowUpRow[]) =>
  stringify(rows as unknown as Record<string, unknown>[], { header: true, columns: COLUMNS });

export interface FollowUpResult {
  date: string;
  people: number;
  sites: number;
  /** The sites with rows this run: a site file of an earlier run of the day that is not named here is stale. */
  site_ids: string[];
  counts: { due: number; overdue: number };
}

export async function runFollowUp(reports: ObjectStore, day: string): Promise<FollowUpResult> {
  const bySite = new Map<string, FollowUpRow[]>();
  const byCounty = new Map<string, CountyRow>();
  const counts = { due: 0, overdue: 0 };
  // The by-due index is a hint kept by the matcher; the record evaluated as of the day is the answer.
  const due = await dueBy(day);
  due.sort((a, b) => a.person_id.localeCompare(b.person_id));
  let people = 0;
  for (const p of due) {
    const r = await loadRecord(p.person_id, day);
    if (!r || r.person_id !== p.person_id) continue;
    const f = r.forecast;
    if ((f.status !== 'due' && f.status !== 'overdue') || !f.due || !f.overdue_after || !f.next_dose)
      continue;
    people++;
    counts[f.status]++;
    const county = r.latest.county ?? '';
    const c = byCounty.get(`${county}#${f.next_dose}`) ?? {
      county,
      next_dose: f.next_dose,
      overdue: 0,
      due: 0,
    };
    c[f.status]++;
    byCounty.set(`${county}#${f.next_dose}`, c);
    const earlier = r.doses
      .map((d) => [d.admin_date, d.cvx, 'at', d.iis_id].filter(Boolean).join(' '))
      .join('; ');
    const sites = new Map<string, (typeof r.links)[number]>();
    for (const l of [...r.links].sort((a, b) => b.linked_at.localeCompare(a.linked_at)))
      if (!sites.has(l.dose.iis_id)) sites.set(l.dose.iis_id, l);
    for (const [iis, l] of sites) {
      const rows = bySite.get(iis) ?? [];
      rows.push({
        person_id: r.person_id,
        status: f.status,
        next_dose: f.next_dose,
        due: f.due,
        overdue_after: f.overdue_after,
        cvx: f.cvx ?? '',
        recip_id: l.demo.site_patient?.recip_id ?? '',
        first_name: l.demo.first,
        last_name: l.demo.last,
        dob: l.demo.dob,
        earlier_doses: earlier,
      });
      bySite.set(iis, rows);
    }
  }
  for (const [iis, rows] of [...bySite].sort(([a], [b]) => a.localeCompare(b))) {
    await reports.put(siteFile(day, iis, 'json'), `${JSON.stringify(rows, null, 1)}\n`, 'application/json');
    await reports.put(siteFile(day, iis, 'csv'), rowsCsv(rows), 'text/csv');
  }
  const statewide = [...byCounty.values()].sort(
    (a, b) => a.county.localeCompare(b.county) || a.next_dose - b.next_dose,
  );
  await reports.put(
    followUpKey(day, 'counties.json'),
    `${JSON.stringify(statewide, null, 1)}\n`,
    'application/json',
  );
  await reports.put(
    followUpKey(day, 'counties.csv'),
    stringify(statewide as unknown as Record<string, unknown>[], {
      header: true,
      columns: ['county', 'next_dose', 'due', 'overdue'],
    }),
    'text/csv',
  );
  const result: FollowUpResult = {
    date: day,
    people,
    sites: bySite.size,
    site_ids: [...bySite.keys()].sort(),
    counts,
  };
  // Written last: the API answers a day only once all its files are there.
  await reports.put(followUpKey(day, 'done.json'), `${JSON.stringify(result)}\n`, 'application/json');
  return result;
}
