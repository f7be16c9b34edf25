/**
 * Population denominators (issue 15): the CSV an operator loads, read and checked whole before anything is
 * stored. Pure: text in, rows or every problem out (the store is denominators-store.ts, the format
 * docs/denominators.md).
 *
 * A file is refused for any problem at all, because a coverage figure computed against a file with a hole or a
 * typo in it looks as authoritative as a right one: the operator fixes the file and loads it again.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { county as countyEntry } from '#codecs/codesets/geography.ts';
import { echo, type Finding } from '#platform/findings.ts';
import {
  AGE_BANDS,
  type AgeBand,
  CA_COUNTIES,
  ETHNICITY_GROUPS,
  type EthnicityGroup,
  RACE_GROUPS,
  type RaceGroup,
  SEX_GROUPS,
  type SexGroup,
} from './bands.ts';
import {
  DENOMINATOR_COLUMNS,
  MAX_DENOMINATOR_BYTES,
  MAX_POPULATION,
  MAX_PROBLEMS_LISTED,
} from './endpoints.ts';

export { DENOMINATOR_COLUMNS, MAX_DENOMINATOR_BYTES, MAX_POPULATION, MAX_PROBLEMS_LISTED };

type Column = (typeof DENOMINATOR_COLUMNS)[number];

export interface DenominatorRow {
  /** 5-digit FIPS, whichever way the file named the county. */
  county: string;
  age_group: AgeBand;
  race: RaceGroup;
  ethnicity: EthnicityGroup;
  sex: SexGroup;
  population: number;
}

export interface CountyTotal {
  county: string;
  name: string;
  population: number;
}

export interface DenominatorFile {
  /** Sorted by county, age group, race, ethnicity and sex (the groups' declared order). */
  rows: DenominatorRow[];
  total_population: number;
  county_totals: CountyTotal[];
  /** SHA-256 of the sorted rows: the same populations in another order or spelling are the same file. */
  content_hash: string;
}

export type DenominatorParse =
  | { ok: true; file: DenominatorFile }
  | { ok: false; problems: Finding[]; problem_count: number };

/** Codes of a refusal (request-level, like REQ…): docs/denominators.md. */
export const DEN = {
  file: 'DEN001',
  value: 'DEN002',
  duplicate: 'DEN003',
  missing: 'DEN004',
  noVersion: 'DEN404',
} as const;

const problem = (code: string, field: string, message: string): Finding => ({
  code,
  severity: 'error',
  field,
  message,
});

export const countyName = (fips: string) => countyEntry(fips)?.name ?? fips;

const CA_FIPS = new Set(CA_COUNTIES);
const normName = (s: string) =>
  s
    .toLowerCase()
    .replace(/\s+county$/, '')
    .replace(/\s+/g, ' ')
    .trim();
const FIPS_BY_NAME = new Map(CA_COUNTIES.map((f) => [normName(countyName(f)), f]));

const HEADER = DENOMINATOR_COLUMNS.join(',');

/** Reads and checks a whole denominator file: its rows, or every problem found, each naming its row. */
export function parseDenominators(input: string | Uint8Array): DenominatorParse {
  const text = decode(input);
  if (typeof text !== 'string') return refuse([text]);
  const records = readCsv(text);
  if ('problem' in records) return refuse([records.problem]);
  const [head, ...body] = records.rows;
  const order = headerOrder(head?.record);
  if ('problem' in order) return refuse([order.problem]);
  if (body.length === 0)
    return refuse([problem(DEN.file, 'file', `The file has a header but no rows (line 1 is ${HEADER}).`)]);

  const problems: Finding[] = [];
  const rows: DenominatorRow[] = [];
  const seen = new Map<string, number>();
  const present = new Set<string>();
  for (const { record, line } of body) {
    const cells = readRow(record, order, line, problems);
    if (cells.county && cells.age_group) present.add(`${cells.county}|${cells.age_group}`);
    const row = complete(cells);
    if (!row) continue;
    const key = cellKey(row);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(
        problem(
          DEN.duplicate,
          'county',
          `row ${line}: the same cell as row ${first} (${describeCell(row)}); give each cell once.`,
        ),
      );
      continue;
    }
    seen.set(key, line);
    rows.push(row);
  }
  problems.push(...missingBands(present));
  if (problems.length > 0) return refuse(problems);
  return { ok: true, file: summarize(rows) };
}

/** Text of the body, or why it is not a text file. */
function decode(input: string | Uint8Array): string | Finding {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > MAX_DENOMINATOR_BYTES)
    return problem(
      DEN.file,
      'file',
      `The file is ${size} bytes; at most ${MAX_DENOMINATOR_BYTES} are taken (every cell once fits in about 2 MB).`,
    );
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return problem(DEN.file, 'file', 'The file is not UTF-8 text; save it as CSV (UTF-8).');
    }
  }
  // A gateway hands on bytes that are not UTF-8 as U+FFFD: a CSV of counts never contains one legitimately.
  const bad = firstUnreadable(text);
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    return text[bad] === '\uFFFD'
      ? problem(DEN.file, 'file', `The file is not UTF-8 text (line ${line}); save it as CSV (UTF-8).`)
      : problem(DEN.file, 'file', `The file is binary, not CSV text (a control character on line ${line}).`);
  }
  if (text.replace(/^\uFEFF/, '').trim() === '')
    return problem(DEN.file, 'file', `The file is empty; send a CSV whose first line is ${HEADER}.`);
  return text;
}

/** Index of the first replacement character or control character other than tab and line breaks, or -1. */
function firstUnreadable(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return i;
  }
  return -1;
}

interface CsvRecord {
  record: string[];
  line: number;
}

const CSV_SYNTAX: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote opens a value and is never closed',
  INVALID_OPENING_QUOTE: 'a quote in the middle of a value',
  CSV_INVALID_CLOSING_QUOTE: 'text right after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text right after a closing quote',
};

function readCsv(text: string): { rows: CsvRecord[] } | { problem: Finding } {
  try {
    const out = parse(text, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return { rows: out.map((r) => ({ record: r.record, line: r.info.lines })) };
  } catch (err) {
    const e = err as { code?: string; lines?: number };
    const what = (e.code && CSV_SYNTAX[e.code]) ?? 'the CSV cannot be read';
    return { problem: problem(DEN.file, 'file', `row ${e.lines ?? '?'}: ${what}; nothing was read.`) };
  }
}

/** Where each column is: the header must name the six columns, in any order, each once. */
function headerOrder(head: string[] | undefined): Record<Column, number> | { problem: Finding } {
  const names = (head ?? []).map((h) => h.trim().toLowerCase());
  const missing = DENOMINATOR_COLUMNS.filter((c) => !names.includes(c));
  const extra = names.filter((n) => !(DENOMINATOR_COLUMNS as readonly string[]).includes(n));
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (missing.length || extra.length || twice.length) {
    const why = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      extra.length ? `unexpected ${extra.map(echo).join(', ')}` : '',
      twice.length ? `twice ${twice.map(echo).join(', ')}` : '',
    ].filter(Boolean);
    return {
      problem: problem(DEN.file, 'header', `row 1: the header must be ${HEADER} (${why.join('; ')}).`),
    };
  }
  return Object.fromEntries(DENOMINATOR_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<Column, number>;
}

type Cells = Partial<DenominatorRow>;

function readRow(record: string[], at: Record<Column, number>, line: number, out: Finding[]): Cells {
  if (record.length !== DENOMINATOR_COLUMNS.length) {
    out.push(
      problem(
        DEN.value,
        'row',
        `row ${line}: has ${record.length} values; the header names ${DENOMINATOR_COLUMNS.length}.`,
      ),
    );
    return {};
  }
  const v = (c: Column) => record[at[c]]!;
  const bad = (c: Column, message: string) => {
    out.push(problem(DEN.value, c, `row ${line}: ${message}`));
    return undefined;
  };
  const group = <T extends string>(c: Column, label: string, allowed: readonly T[]): T | undefined =>
    (allowed as readonly string[]).includes(v(c))
      ? (v(c) as T)
      : bad(c, `${label} ${echo(v(c))} is not one of ${allowed.join(', ')}.`);
  return {
    county:
      countyOf(v('county')) ??
      bad(
        'county',
        `county ${shownValue(v('county'))} is not a California county (its 5-digit FIPS code, 06001 to 06115, or its name).`,
      ),
    age_group: group('age_group', 'age group', AGE_BANDS),
    race: group('race', 'race', RACE_GROUPS),
    ethnicity: group('ethnicity', 'ethnicity', ETHNICITY_GROUPS),
    sex: group('sex', 'sex', SEX_GROUPS),
    population:
      populationOf(v('population')) ??
      bad(
        'population',
        `population is ${shownValue(v('population'))}; a population is a whole number ≥ 0 (at most ${MAX_POPULATION}).`,
      ),
  };
}

/** A digits-only value as it is (06999), anything else quoted. */
const shownValue = (s: string) => (/^-?\d{1,12}$/.test(s) ? s : echo(s));

function countyOf(s: string): string | undefined {
  if (/^\d{5}$/.test(s)) return CA_FIPS.has(s) ? s : undefined;
  return FIPS_BY_NAME.get(normName(s));
}

function populationOf(s: string): number | undefined {
  if (!/^\d{1,9}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_POPULATION ? n : undefined;
}

function complete(c: Cells): DenominatorRow | undefined {
  const { county, age_group, race, ethnicity, sex, population } = c;
  if (!county || !age_group || !race || !ethnicity || !sex || population === undefined) return undefined;
  return { county, age_group, race, ethnicity, sex, population };
}

const cellKey = (r: DenominatorRow) => `${r.county}|${r.age_group}|${r.race}|${r.ethnicity}|${r.sex}`;
const describeCell = (r: DenominatorRow) =>
  `county ${r.county}, age group ${r.age_group}, race ${r.race}, ethnicity ${r.ethnicity}, sex ${r.sex}`;

/** Every county needs rows for every age band: a hole would read as nobody of that age living there. */
function missingBands(present: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  for (const fips of CA_COUNTIES) {
    const absent = AGE_BANDS.filter((b) => !present.has(`${fips}|${b}`));
    const name = `county ${fips} (${countyName(fips)})`;
    if (absent.length === AGE_BANDS.length)
      out.push(
        problem(DEN.missing, 'county', `${name} has no rows; every county needs rows for every age group.`),
      );
    else
      for (const band of absent)
        out.push(problem(DEN.missing, 'age_group', `${name} has no rows for age group ${band}.`));
  }
  return out;
}

function refuse(problems: Finding[]): DenominatorParse {
  return { ok: false, problems: problems.slice(0, MAX_PROBLEMS_LISTED), problem_count: problems.length };
}

const ORDER = {
  age_group: new Map(AGE_BANDS.map((b, i) => [b as string, i])),
  race: new Map(RACE_GROUPS.map((b, i) => [b as string, i])),
  ethnicity: new Map(ETHNICITY_GROUPS.map((b, i) => [b as string, i])),
  sex: new Map(SEX_GROUPS.map((b, i) => [b as string, i])),
};

function compareRows(a: DenominatorRow, b: DenominatorRow): number {
  if (a.county !== b.county) return a.county < b.county ? -1 : 1;
  for (const k of ['age_group', 'race', 'ethnicity', 'sex'] as const) {
    const d = ORDER[k].get(a[k])! - ORDER[k].get(b[k])!;
    if (d !== 0) return d;
  }
  return 0;
}

function summarize(unsorted: DenominatorRow[]): DenominatorFile {
  const rows = [...unsorted].sort(compareRows);
  const byCounty = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    total += r.population;
    byCounty.set(r.county, (byCounty.get(r.county) ?? 0) + r.population);
  }
  return {
    rows,
    total_population: total,
    county_totals: CA_COUNTIES.map((c) => ({
      county: c,
      name: countyName(c),
      population: byCounty.get(c) ?? 0,
    })),
    content_hash: createHash('sha256')
      .update(JSON.stringify(rows.map(rowTuple)))
      .digest('hex'),
  };
}

export type RowTuple = [string, AgeBand, RaceGroup, EthnicityGroup, SexGroup, number];
export const rowTuple = (r: DenominatorRow): RowTuple => [
  r.county,
  r.age_group,
  r.race,
  r.ethnicity,
  r.sex,
  r.population,
];
export const rowOf = ([county, age_group, race, ethnicity, sex, population]: RowTuple): DenominatorRow => ({
  county,
  age_group,
  race,
  ethnicity,
  sex,
  population,
});
