import { readFileSync } from 'node:fs';
import { headersFor } from '#cdc/validator/index.ts';

export const fixtureBytes = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/cdc-validator/${name}`, import.meta.url));

/** What CDC's TestCommandLine masks before comparing: the date BUSR011/BUSR012 call tomorrow. */
export const maskTomorrow = (report: string): string =>
  report.replace(/tomorrow \([0-9]{4}-[0-9]{2}-[0-9]{2}\)/g, "tomorrow (DON'T CARE)");

/** The first row of CDC's testgood.txt: a redacted vaccination CDC finds nothing wrong with. */
export function goodRecord(): Record<string, string> {
  const [header, first] = fixtureBytes('testgood.txt').toString('utf8').split(/\r?\n/);
  const names = header!.split('\t');
  const cells = first!.split('\t');
  return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
}

/** A CVRS text file with CDC's v2 header (or the given columns) and these records. */
export function cvrsFile(
  records: Record<string, string | undefined>[],
  opts: { columns?: readonly string[]; eol?: string } = {},
): string {
  const columns = opts.columns ?? headersFor('2');
  const eol = opts.eol ?? '\r\n';
  return [columns.join('\t'), ...records.map((r) => columns.map((c) => r[c] ?? '').join('\t'))]
    .map((l) => l + eol)
    .join('');
}

export const TODAY = '2021-03-10';
