import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { type CdcFinding, validateCvrsText } from '#cdc/validator/index.ts';
import { SITE_FILLED_FIELDS } from '#doses/fields.ts';
import { startWithSite } from './harness.ts';

/**
 * CDC's own test records through our intake, as JSON and as a dropped file: every finding CDC's validator makes
 * on a record (run here through our re-implementation, whose reports match CDC's byte for byte in
 * test/unit/cdc-validator) is among the record's findings here, with CDC's code on CDC's field; an error at CDC
 * is an error here, or a warning where our intake is deliberately lenient.
 *
 * What intake cannot say, and why, is listed in EXPECTED_GAPS; nothing else may be missing.
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'cdc-validator');
const FILES = ['testerror.txt', 'testgood.txt', 'testdefault.txt'];
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(new Date());
const SITE_FILLED: ReadonlySet<string> = new Set(SITE_FILLED_FIELDS);
const PRODUCT: ReadonlySet<string> = new Set(['cvx', 'ndc', 'mvx']);
const ISO = /^\d{4}-\d{2}-\d{2}$/;
const CDC_ZIP = /^\d{5}(-\d{4})?$/;

interface Ours {
  code: string;
  field: string;
  severity: string;
}

/** Why a CDC finding may have no twin here: undefined when it must have one. */
function expectedGap(f: CdcFinding, record: Record<string, string>): string | undefined {
  // The site's enrollment fills what a dose leaves out of the site's own fields.
  if (f.code === 'REQD001' && SITE_FILLED.has(f.field)) return 'filled from the enrollment';
  if ((f.code === 'BUSR008' || f.code === 'BUSR010') && SITE_FILLED.has(f.field))
    return 'filled from the enrollment';
  // CDC compares dates as text, so a date it cannot read still "is after" the other one; we read or reject it.
  if (f.code === 'BUSR005' && !(ISO.test(record.recip_dob ?? '') && ISO.test(record.admin_date ?? '')))
    return 'CDC compares unreadable dates as text';
  // A malformed ZIP is reported once (DATA005) and left out, so it is not also placed in a state.
  if ((f.code === 'BUSR003' || f.code === 'BUSR004') && !CDC_ZIP.test(record[f.field] ?? ''))
    return 'malformed ZIP reported once';
  // CDC's product lists stopped in early 2021; our own product rules (DQ012/DQ013…) judge cvx, ndc and mvx.
  if (f.code === 'DATA007' && PRODUCT.has(f.field)) return 'product codes judged by our code sets';
  return undefined;
}

function records(name: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(FIXTURES, name), 'utf8').split(/\r?\n/);
  const columns = header!.split('\t');
  return lines
    .filter((l) => l !== '')
    .map((l) => {
      const cells = l.split('\t');
      return Object.fromEntries(columns.flatMap((c, i) => (cells[i] ? [[c, cells[i]]] : [])));
    });
}

const { rt, api, site } = await startWithSite();

afterAll(async () => rt?.stop());

/** Compares CDC's findings with ours, record by record; answers the parity and what is missing. */
function compare(
  name: string,
  cdc: readonly CdcFinding[],
  ours: readonly Ours[][],
  recs: readonly Record<string, string>[],
): { matched: number; total: number; missing: string[] } {
  let matched = 0;
  let total = 0;
  const missing: string[] = [];
  for (const f of cdc) {
    if (f.line < 1) continue;
    const record = recs[f.line - 1]!;
    const mine = ours[f.line - 1] ?? [];
    const twin = mine.find((o) => o.code === f.code && o.field === f.field);
    if (twin) {
      total++;
      matched++;
      expect(twin.severity, `${name} line ${f.line} ${f.code} ${f.field}`).toBe(
        f.level === 'WARN' ? 'warning' : twin.severity === 'warning' ? 'warning' : 'error',
      );
      continue;
    }
    if (expectedGap(f, record)) continue;
    total++;
    missing.push(`${name} line ${f.line} (${f.vax_event_id}): ${f.code} ${f.field}`);
  }
  return { matched, total, missing };
}

describe("CDC's test records through our intake", () => {
  it.each(FILES)('%s as JSON (POST /v1/doses): CDC’s codes on CDC’s fields', async (name) => {
    const recs = records(name);
    const cdc = validateCvrsText(readFileSync(join(FIXTURES, name)), { today: TODAY });
    const res = await api.call('POST', '/v1/doses', { key: site.api_key, body: { doses: recs } });
    expect(res.status).toBe(200);
    const ours: Ours[][] = res.json.results.map((r: { issues: Ours[] }) => r.issues);
    const { matched, total, missing } = compare(name, cdc.findings, ours, recs);
    expect(missing).toEqual([]);
    expect(matched).toBe(total);
    // Not vacuous: of CDC's 175 findings on testerror.txt, 163 are checks intake makes (the 12 others above).
    if (name === 'testerror.txt') expect(matched).toBeGreaterThanOrEqual(160);
    // A record CDC refuses is never accepted here (our rules are stricter, never looser).
    const refusedByCdc = new Set(cdc.findings.filter((f) => f.level === 'ERROR').map((f) => f.line));
    for (const line of refusedByCdc)
      if (line >= 1) expect(res.json.results[line - 1].status, `${name} line ${line}`).not.toBe('accepted');
  });

  it('testerror.txt as a dropped file: the results file carries the same codes on the same rows', async () => {
    const name = 'testerror.txt';
    const body = readFileSync(join(FIXTURES, name));
    const recs = records(name);
    const cdc = validateCvrsText(body, { today: TODAY });
    const start = await api.call('POST', '/v1/uploads', { key: site.api_key, body: { name } });
    expect(start.status).toBe(201);
    const put = await fetch(start.json.url, { method: 'PUT', headers: start.json.headers, body });
    expect(put.status).toBe(200);
    let done: any;
    for (const until = Date.now() + 60_000; ; ) {
      done = (await api.call('GET', `/v1/uploads/${start.json.upload_id}`, { key: site.api_key })).json;
      if (done.status === 'completed' || done.status === 'failed') break;
      if (Date.now() > until) throw new Error(`upload stuck in ${done.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done.status).toBe('completed');
    const rows: string[][] = parse(await (await fetch(done.results_url)).text(), { from_line: 2 });
    expect(rows).toHaveLength(recs.length);
    // Results rows are spreadsheet rows (the header is row 1); CDC's lines count records from 1.
    const ours: Ours[][] = rows.map((r) =>
      [...(r[4] ?? '').matchAll(/(?:^|\| )(error|warning|info) (\S+) (\S+):/g)].map((m) => ({
        severity: m[1]!,
        code: m[2]!,
        field: m[3]!,
      })),
    );
    const { missing } = compare(name, cdc.findings, ours, recs);
    expect(missing).toEqual([]);
  });
});
