// What the files fuzz target generates: a file's columns, rows, line endings and damage, and how S3 cuts it.

import fc from 'fast-check';
import { CVRS_FIELDS } from '#doses/fields.ts';
import { longText, marker, NASTY_CHARS } from './shapes.ts';

/** The columns of a standard file: the CVRS fields a site sends. */
export const BASE_COLUMNS = CVRS_FIELDS.filter((f) => f !== 'ext_type' && f !== 'pprl_id');
const V1_EXTRA = ['vax_prov_suffix', 'recip_missed_appt'];

export type Ending = '\n' | '\r\n' | '\r';
export type Row =
  | { kind: 'data'; changes: Record<number, string>; extraCells: number; dropCells: number }
  | { kind: 'blank' }
  | { kind: 'spaces' };

export interface FileInput {
  format: 'cvrs' | 'csv';
  columns: string[];
  rows: Row[];
  /** Line ending of the header and of each row (cycled). */
  endings: Ending[];
  lastEnding: boolean;
  trailingBlank: number;
  bom: boolean;
  corrupt: { kind: 'none' } | { kind: 'nul' | 'latin1'; at: number } | { kind: 'open-quote'; row: number };
  /** Rows per chunk for the small plan (the planner's own cut, with a smaller size). */
  chunkRows: number;
  /** Byte positions at which the stream given to the scan is split. */
  splits: number[];
  /** Two rows share an ID (a duplicate, or a conflict when they differ). */
  repeat: { kind: 'none' } | { kind: 'same' | 'conflict'; of: number; at: number };
}

const cellValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.string({
      unit: fc.constantFrom(...NASTY_CHARS.filter((c) => c !== '\u0000'), ...'abcXYZ019 '),
      maxLength: 12,
    }),
  },
  { weight: 2, arbitrary: marker },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '"',
      '""',
      '"a"',
      'a"b',
      ',',
      '\t',
      '\n',
      '\r\n',
      '\r',
      '=1+1',
      '2021-02-30',
      '1/1/2021',
    ),
  },
  { weight: 1, arbitrary: fc.nat().map((n) => longText(n % 3 === 0 ? 50_000 : 300, n)) },
);

/** `arb` one time in `n`, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number) =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const columnsArb = fc
  .record({
    order: fc.oneof(
      { weight: 3, arbitrary: fc.constant(BASE_COLUMNS) },
      {
        weight: 2,
        arbitrary: fc.shuffledSubarray(BASE_COLUMNS, {
          minLength: BASE_COLUMNS.length,
          maxLength: BASE_COLUMNS.length,
        }),
      },
    ),
    v1: fc.boolean(),
    unknown: fc.array(
      fc.oneof(
        fc.constantFrom('notes', 'Phone', 'x y', '__proto__', 'constructor'),
        fc.nat().map((n) => `col_${longText(n % 4 === 0 ? 5_000 : 20, n)}`),
      ),
      { maxLength: 2 },
    ),
    duplicate: rarely(fc.constantFrom(...BASE_COLUMNS), 8),
    drop: rarely(fc.constantFrom(...BASE_COLUMNS), 8),
    upper: fc.boolean(),
  })
  .map(({ order, v1, unknown, duplicate, drop, upper }) => {
    let cols: string[] = [...order];
    if (v1) cols.push(...V1_EXTRA);
    cols.push(...unknown.map((u) => u.replace(/[\t,\r\n"]/g, '_')));
    if (duplicate) cols.push(duplicate);
    if (drop) cols = cols.filter((c) => c !== drop);
    return upper ? cols.map((c) => (c.length < 40 ? c.toUpperCase() : c)) : cols;
  });

const rowArb: fc.Arbitrary<Row> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('data' as const),
      changes: fc.oneof(
        { weight: 2, arbitrary: fc.constant({}) },
        { weight: 2, arbitrary: fc.dictionary(fc.nat(50).map(String), cellValue, { maxKeys: 3 }) },
      ),
      extraCells: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
      dropCells: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(5) }),
    }) as fc.Arbitrary<Row>,
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'spaces' as const }) },
);

export const fileInput: fc.Arbitrary<FileInput> = fc.record({
  format: fc.constantFrom('cvrs' as const, 'csv' as const),
  columns: columnsArb,
  rows: fc.array(rowArb, { maxLength: 12 }),
  endings: fc.oneof(
    fc.constantFrom<Ending[]>(['\n'], ['\r\n'], ['\r']),
    fc.array(fc.constantFrom<Ending>('\n', '\r\n', '\r'), { minLength: 1, maxLength: 13 }),
  ),
  lastEnding: fc.oneof(
    { weight: 4, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  trailingBlank: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
  bom: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  corrupt: fc.oneof(
    { weight: 12, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constantFrom('nul' as const, 'latin1' as const), at: fc.nat() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('open-quote' as const), row: fc.nat() }) },
  ),
  chunkRows: fc.integer({ min: 1, max: 4 }),
  splits: fc.array(fc.nat(), { maxLength: 4 }),
  repeat: fc.oneof(
    { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom('same' as const, 'conflict' as const),
        of: fc.nat(),
        at: fc.nat(),
      }),
    },
  ),
});
