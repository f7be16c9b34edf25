import { localDate } from '#platform/dates.ts';
import { type Finding, finding, hasError } from '#platform/findings.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { type Caller, permittedSites } from '#sites/access.ts';
import { getSite } from '#sites/store.ts';
import { parseWastage } from '#stock/input.ts';
import { recordWastage } from '#stock/record.ts';
import { rowToInput } from './format.ts';
import type { FilePlan } from './plan.ts';
import type { RowResult } from './results.ts';

/** The collaborators that touch AWS, replaceable in tests (e.g. a store that dies midway). */
export interface WastageDeps {
  getSite: typeof getSite;
  recordWastage: typeof recordWastage;
}

export const defaultWastageDeps: WastageDeps = { getSite, recordWastage };

/** Stock keys recorded at once; the rows of one key go one after another (see wastageChunkResults). */
const KEY_CONCURRENCY = 16;

interface WastageRow {
  row: number;
  iis_id: string;
  input: Record<string, unknown>;
  /** What the file itself says about the row: a wrong number of values, a record_id repeated (STK012). */
  findings: Finding[];
}

const trimmed = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/**
 * One chunk of a wastage file: each row through the same recording as POST /v1/wastage (recordWastage), with
 * its source `upload:<id>:<row>`, so a retried chunk stores nothing twice and its rows answer as the first time.
 * A row belongs to its iis_id when the uploading site may act for it (permittedSites, as for dose rows; else
 * rejected, DQ023), to the file's site when it has none. A row repeating an earlier row's record_id (found by the
 * plan across the whole file) is never recorded: a duplicate when that is its only error, as in dose files.
 *
 * Rows of the same site, NDC and lot are recorded in file order, since the on-hand estimate behind STK006 counts
 * the earlier ones (read once per lot and chunk, then kept up to date); different lots are recorded concurrently.
 * A dry run (offline checks) stores nothing and reads nothing: it answers what parsing says, without the store's
 * warnings (STK005, STK006) or duplicates.
 */
export async function wastageChunkResults(
  records: AsyncIterable<{ cells: string[] }>,
  plan: FilePlan,
  firstRow: number,
  uploadId: string,
  caller: Caller & { role: 'site'; iis_id: string },
  defaultIisId: string,
  now: Date,
  options: { dryRun?: boolean; deps?: WastageDeps } = {},
): Promise<RowResult[]> {
  const deps = options.deps ?? defaultWastageDeps;
  const rows: WastageRow[] = [];
  let row = firstRow;
  for await (const rec of records) {
    const { input, findings } = rowToInput(rec.cells, plan.header);
    const iis_id = trimmed(input.iis_id).toUpperCase() || defaultIisId;
    const first = plan.duplicates[row];
    if (first !== undefined)
      findings.push(
        finding(
          'STK012',
          'record_id',
          `record_id ${trimmed(input.record_id)} was already used in row ${first} of this file. Every wastage report needs its own record_id.`,
        ),
      );
    rows.push({ row, iis_id, input, findings });
    row++;
  }

  const { forbidden } = await permittedSites(
    caller,
    rows.map((r) => r.iis_id),
    deps.getSite,
  );
  const today = localDate(now);
  const results: RowResult[] = new Array(rows.length);
  /** Rows to record, by stock key (site, NDC, lot), each list in file order. */
  const byStock = new Map<string, number[]>();
  rows.forEach((r, index) => {
    const id = trimmed(r.input.record_id) || undefined;
    if (forbidden.has(r.iis_id)) {
      results[index] = {
        record_id: id,
        status: 'rejected',
        issues: [
          ...r.findings,
          finding(
            'DQ023',
            'iis_id',
            `This submission may hold wastage reports of ${caller.iis_id} and the sites that name it as their sending facility, not of ${r.iis_id}.`,
          ),
        ],
      };
      return;
    }
    const parsed = parseWastage(r.input, { today });
    if (hasError(r.findings) || options.dryRun || !parsed.record) {
      const issues = [...r.findings, ...parsed.findings];
      const onlyRepeat = issues.every((f) => f.severity !== 'error' || f.code === 'STK012');
      results[index] = {
        record_id: parsed.record?.record_id ?? id,
        status: !parsed.record || !onlyRepeat ? 'rejected' : hasError(issues) ? 'duplicate' : 'accepted',
        issues,
      };
      return;
    }
    const key = `${r.iis_id}|${parsed.record.ndc}|${parsed.record.lot_number}`;
    byStock.set(key, [...(byStock.get(key) ?? []), index]);
  });

  // Each lot's on-hand estimate is read once per chunk, then kept up to date as its rows are recorded.
  const onHand = new Map<string, number>();
  const expirations = new Map<string, Promise<string | undefined>>();
  await mapLimit([...byStock.values()], KEY_CONCURRENCY, async (indexes) => {
    for (const index of indexes) {
      const r = rows[index]!;
      const out = await deps.recordWastage(r.input, {
        iis_id: r.iis_id,
        now,
        source: `upload:${uploadId}:${r.row}`,
        site: deps.getSite,
        onHand,
        expirations,
      });
      results[index] = {
        record_id: out.record_id?.trim() || trimmed(r.input.record_id) || undefined,
        status: out.status,
        issues: [...r.findings, ...out.issues],
      };
    }
  });
  return results;
}
