import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGE_BANDS, CA_COUNTIES, ETHNICITY_GROUPS, RACE_GROUPS, SEX_GROUPS } from '#analytics/bands.ts';
import {
  countyName,
  DENOMINATOR_COLUMNS,
  MAX_DENOMINATOR_BYTES,
  MAX_PROBLEMS_LISTED,
  parseDenominators,
} from '#analytics/denominators.ts';

/** Issue 15: a denominator file is read and checked whole; every refusal names its row (the CSV line). */

const HEADER = DENOMINATOR_COLUMNS.join(',');

/** One row per county × age band (the least a file may hold): line n+2 is row n. */
function minimal(population = (i: number) => 1000 + i): string[] {
  return CA_COUNTIES.flatMap((c, ci) =>
    AGE_BANDS.map((b, bi) => `${c},${b},WHITE,NOT_HISPANIC,F,${population(ci * AGE_BANDS.length + bi)}`),
  );
}
const csv = (rows: readonly string[], header = HEADER) => `${[header, ...rows].join('\n')}\n`;

/** Every cell once: 58 × 8 × 8 × 3 × 4 rows. */
function fullCrossProduct(county: (fips: string) => string = (f) => f): string {
  const rows: string[] = [];
  for (const c of CA_COUNTIES)
    for (const b of AGE_BANDS)
      for (const r of RACE_GROUPS)
        for (const e of ETHNICITY_GROUPS)
          for (const s of SEX_GROUPS)
            rows.push(`${county(c)},${b},${r},${e},${s},${(rows.length * 7919) % 250_000}`);
  return csv(rows);
}

function refused(input: string | Uint8Array) {
  const out = parseDenominators(input);
  if (out.ok) throw new Error('expected the file to be refused');
  return out;
}
const messages = (input: string | Uint8Array) => refused(input).problems.map((p) => p.message);

describe('a valid file', () => {
  it('is accepted: rows by FIPS, sorted, totals per county and statewide', () => {
    const out = parseDenominators(csv(minimal()));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.file.rows).toHaveLength(58 * 8);
    expect(out.file.rows[0]).toEqual({
      county: '06001',
      age_group: '<12',
      race: 'WHITE',
      ethnicity: 'NOT_HISPANIC',
      sex: 'F',
      population: 1000,
    });
    expect(out.file.county_totals).toHaveLength(58);
    expect(out.file.county_totals[0]).toEqual({
      county: '06001',
      name: 'Alameda',
      population: 8 * 1000 + 28,
    });
    expect(out.file.total_population).toBe(out.file.county_totals.reduce((s, c) => s + c.population, 0));
  });

  it('takes county names, CRLF, a BOM, blank lines and columns in any order; the same figures hash the same', () => {
    const a = parseDenominators(csv(minimal()));
    const named = minimal()
      .reverse()
      .map((r) => {
        const [c, ...rest] = r.split(',');
        const name = countyName(c!);
        return [
          rest.at(-1),
          rest[3],
          rest[2],
          rest[1],
          rest[0],
          c === '06037' ? 'los angeles county' : name,
        ].join(',');
      });
    const header = 'population,sex,ethnicity,race,age_group,county';
    const b = parseDenominators(`\uFEFF${[header, '', ...named].join('\r\n')}\r\n`);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.file.rows).toEqual(a.file.rows);
    expect(b.file.content_hash).toBe(a.file.content_hash);
  });

  it(`every cell of the cross-product (${58 * 8 * 8 * 3 * 4} rows) fits, with FIPS codes or county names`, () => {
    for (const file of [fullCrossProduct(), fullCrossProduct((f) => `"${countyName(f)}"`)]) {
      expect(Buffer.byteLength(file)).toBeLessThan(MAX_DENOMINATOR_BYTES);
      const out = parseDenominators(file);
      expect(out.ok).toBe(true);
      if (out.ok) expect(out.file.rows).toHaveLength(44_544);
    }
  });
});

describe('refusals name the row (the CSV line) and the column', () => {
  it('a negative population', () => {
    const rows = minimal();
    rows[12] = rows[12]!.replace(/,\d+$/, ',-3'); // line 14
    const out = refused(csv(rows));
    expect(out.problems).toEqual([
      {
        code: 'DEN002',
        severity: 'error',
        field: 'population',
        message: 'row 14: population is -3; a population is a whole number ≥ 0 (at most 40000000).',
      },
    ]);
  });

  it('a population that is not a whole number, or is absurd', () => {
    const rows = minimal();
    rows[0] = rows[0]!.replace(/,\d+$/, ',12.5');
    rows[1] = rows[1]!.replace(/,\d+$/, ',');
    rows[2] = rows[2]!.replace(/,\d+$/, ',"1,000"');
    rows[3] = rows[3]!.replace(/,\d+$/, ',99999999');
    expect(messages(csv(rows))).toEqual([
      'row 2: population is "12.5"; a population is a whole number ≥ 0 (at most 40000000).',
      'row 3: population is ""; a population is a whole number ≥ 0 (at most 40000000).',
      'row 4: population is "1,000"; a population is a whole number ≥ 0 (at most 40000000).',
      'row 5: population is 99999999; a population is a whole number ≥ 0 (at most 40000000).',
    ]);
  });

  it('a county that does not exist (a FIPS code or a name)', () => {
    const rows = minimal();
    rows.push('06999,<12,ASIAN,HISPANIC,M,5'); // line 466
    rows.push('Gotham,<12,ASIAN,HISPANIC,M,5');
    rows.push('06002,<12,ASIAN,HISPANIC,M,5');
    const out = refused(csv(rows));
    expect(out.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'county: row 466: county 06999 is not a California county (its 5-digit FIPS code, 06001 to 06115, or its name).',
      'county: row 467: county "Gotham" is not a California county (its 5-digit FIPS code, 06001 to 06115, or its name).',
      'county: row 468: county 06002 is not a California county (its 5-digit FIPS code, 06001 to 06115, or its name).',
    ]);
  });

  it('a missing age band, and a county with no rows at all', () => {
    const rows = minimal().filter((r) => !r.startsWith('06001,75+,') && !r.startsWith('06003,'));
    const out = refused(csv(rows));
    expect(out.problems).toEqual([
      {
        code: 'DEN004',
        severity: 'error',
        field: 'age_group',
        message: 'county 06001 (Alameda) has no rows for age group 75+.',
      },
      {
        code: 'DEN004',
        severity: 'error',
        field: 'county',
        message: 'county 06003 (Alpine) has no rows; every county needs rows for every age group.',
      },
    ]);
  });

  it('group values not as bands.ts names them', () => {
    const rows = minimal();
    rows[0] = '06001,0-11,White,Hispanic,Female,10';
    const out = refused(csv(rows));
    expect(out.problems.map((p) => [p.field, p.message])).toEqual([
      ['age_group', `row 2: age group "0-11" is not one of ${AGE_BANDS.join(', ')}.`],
      ['race', `row 2: race "White" is not one of ${RACE_GROUPS.join(', ')}.`],
      ['ethnicity', `row 2: ethnicity "Hispanic" is not one of ${ETHNICITY_GROUPS.join(', ')}.`],
      ['sex', `row 2: sex "Female" is not one of ${SEX_GROUPS.join(', ')}.`],
      // The row does not count for its county and band: that hole is named too.
      ['age_group', 'county 06001 (Alameda) has no rows for age group <12.'],
    ]);
  });

  it('the same cell twice (also when one names the county and the other its FIPS code)', () => {
    const rows = minimal();
    rows.push('Alameda,<12,WHITE,NOT_HISPANIC,F,7'); // line 466 repeats line 2
    expect(refused(csv(rows)).problems).toEqual([
      {
        code: 'DEN003',
        severity: 'error',
        field: 'county',
        message:
          'row 466: the same cell as row 2 (county 06001, age group <12, race WHITE, ethnicity NOT_HISPANIC, sex F); give each cell once.',
      },
    ]);
  });

  it('a row with too few or too many values', () => {
    const rows = minimal();
    rows.push('06001,<12,ASIAN,HISPANIC,5', '06001,<12,ASIAN,HISPANIC,F,5,extra');
    expect(messages(csv(rows))).toEqual([
      'row 466: has 5 values; the header names 6.',
      'row 467: has 7 values; the header names 6.',
    ]);
  });

  it('lists every problem of the file at once, the first MAX_PROBLEMS_LISTED of them, and counts them all', () => {
    const rows = minimal().map((r) => r.replace(/,\d+$/, ',-1'));
    const out = refused(csv(rows));
    expect(out.problem_count).toBe(464);
    expect(out.problems).toHaveLength(464);
    const worse = refused(fullCrossProduct().replaceAll(/,(\d+)\n/g, ',-$1\n'));
    expect(worse.problem_count).toBe(44_544);
    expect(worse.problems).toHaveLength(MAX_PROBLEMS_LISTED);
  });
});

describe('refusals of the file as a whole', () => {
  it.each([
    ['empty', '', /The file is empty/],
    ['blank', ' \r\n\n', /The file is empty/],
    ['a header and no rows', `${HEADER}\n`, /header but no rows/],
    [
      'no header',
      csv(minimal()).split('\n').slice(1).join('\n'),
      /row 1: the header must be county,age_group,race,ethnicity,sex,population \(missing county, age_group, race, ethnicity, sex, population; unexpected "06001"/,
    ],
    [
      'a wrong header',
      csv(minimal(), 'county,age,race,ethnicity,sex,pop'),
      /missing age_group, population; unexpected "age", "pop"/,
    ],
    ['a column twice', csv(minimal(), `${HEADER},county`), /twice "county"/],
    ['binary', `${HEADER}\n06001,<12\u0000\u0001`, /binary, not CSV text \(a control character on line 2\)/],
    [
      'bytes a gateway could not read as UTF-8',
      `${HEADER}\n06001,<12,WHITE,NOT_HISPANIC,F,1\uFFFD`,
      /not UTF-8 text \(line 2\)/,
    ],
    [
      'a quote never closed',
      `${HEADER}\n06001,"<12,WHITE\n`,
      /row 2: a quote opens a value and is never closed/,
    ],
  ])('%s', (_what, input, message) => {
    const out = refused(input);
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0]!.code).toBe('DEN001');
    expect(out.problems[0]!.message).toMatch(message);
  });

  it('bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from([0xff, 0xfe, 0x30])]);
    expect(messages(bytes)).toEqual(['The file is not UTF-8 text; save it as CSV (UTF-8).']);
    // The same file as UTF-8 bytes reads as the text does.
    expect(parseDenominators(Buffer.from(csv(minimal()))).ok).toBe(true);
  });

  it('too large', () => {
    const big = `${HEADER}\n${'06001,<12,WHITE,NOT_HISPANIC,F,1\n'.repeat(100_000)}`;
    expect(messages(big)).toEqual([
      `The file is ${Buffer.byteLength(big)} bytes; at most ${MAX_DENOMINATOR_BYTES} are taken (every cell once fits in about 2 MB).`,
    ]);
  });
});

describe('property: one population made negative in a valid file', () => {
  it('is refused, naming exactly that row and nothing else', () => {
    const rows = minimal();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: rows.length - 1 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (i, n) => {
          const bad = [...rows];
          bad[i] = bad[i]!.replace(/,\d+$/, `,-${n}`);
          const out = parseDenominators(csv(bad));
          expect(out.ok).toBe(false);
          if (out.ok) return;
          expect(out.problems).toEqual([
            {
              code: 'DEN002',
              severity: 'error',
              field: 'population',
              message: `row ${i + 2}: population is -${n}; a population is a whole number ≥ 0 (at most 40000000).`,
            },
          ]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
