import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cell } from '#analytics/cells.ts';
import { cellMargin, type Margin, suppress, suppressCells } from '#analytics/suppress.ts';

/** Issue 15: small cells withheld, and the complementary cells that keep them from being subtracted back. */

type RC = [string, string];
const grid = (rows: Record<string, Record<string, number>>) =>
  Object.entries(rows).flatMap(([r, cols]) =>
    Object.entries(cols).map(([c, count]) => ({ key: [r, c] as RC, count })),
  );
const ROWS: Margin<RC> = { name: 'row', group: ([r]) => r };
const COLS: Margin<RC> = { name: 'col', group: ([, c]) => c };
const STATE: Margin<RC> = { name: 'state', group: () => 'all' };
const shown = (s: ReturnType<typeof suppress<RC>>) =>
  Object.fromEntries(s.cells.map((c) => [c.key.join(''), c.shown]));

describe('suppress: golden tables', () => {
  it('withholds 1–10, shows 0, and withholds the next-smallest cell of each total with one withheld', () => {
    const s = suppress(grid({ A: { x: 5, y: 20, z: 30 }, B: { x: 15, y: 40, z: 0 } }), [ROWS, COLS]);
    expect(shown(s)).toEqual({ Ax: '<11', Ay: '*', Az: 30, Bx: '*', By: '*', Bz: 0 });
    expect(s.cells.map((c) => c.suppressed ?? '')).toEqual([
      'small',
      'complementary',
      '',
      'complementary',
      'complementary',
      '',
    ]);
    expect(s.totals).toEqual([
      { margin: 'row', group: 'A', count: 55, shown: 55 },
      { margin: 'row', group: 'B', count: 55, shown: 55 },
      { margin: 'col', group: 'x', count: 20, shown: 20 },
      { margin: 'col', group: 'y', count: 60, shown: 60 },
      { margin: 'col', group: 'z', count: 30, shown: 30 },
    ]);
  });

  it('shows a table without small counts as it is', () => {
    const s = suppress(grid({ A: { x: 11, y: 0 }, B: { x: 100, y: 12 } }), [ROWS, COLS, STATE]);
    expect(shown(s)).toEqual({ Ax: 11, Ay: 0, Bx: 100, By: 12 });
    expect(s.totals.map((t) => t.shown)).toEqual([11, 112, 111, 12, 123]);
  });

  it('withholds a total that would equal its one withheld cell, and a small total', () => {
    const s = suppress(grid({ A: { x: 5, y: 50 }, B: { x: 0, y: 0 } }), [ROWS, COLS]);
    expect(shown(s)).toEqual({ Ax: '<11', Ay: '*', Bx: 0, By: 0 });
    expect(s.totals).toEqual([
      { margin: 'row', group: 'A', count: 55, shown: 55 },
      { margin: 'row', group: 'B', count: 0, shown: 0 },
      { margin: 'col', group: 'x', count: 5, shown: '<11' },
      { margin: 'col', group: 'y', count: 50, shown: '*' },
    ]);
  });

  it('breaks a tie by table order, so the same table always gives the same result', () => {
    const s = suppress(grid({ A: { x: 3, y: 20, z: 20 } }), [ROWS]);
    expect(shown(s)).toEqual({ Ax: '<11', Ay: '*', Az: 20 });
  });

  it('protects the published cell margins (county, group, county × group, state)', () => {
    const cell = (county: string, sex: Cell['sex']): Cell => ({
      county,
      age: '25-39',
      race: 'WHITE',
      ethnicity: 'NOT_HISPANIC',
      sex,
    });
    const rows = [
      { ...cell('06001', 'F'), n: 4 },
      { ...cell('06001', 'M'), n: 25 },
      { ...cell('06003', 'F'), n: 30 },
      { ...cell('06003', 'M'), n: 12 },
    ];
    const s = suppressCells(rows, (r) => r.n);
    expect(s.cells.map((c) => c.shown)).toEqual(['<11', '*', '*', '*']);
    const county = s.totals.filter((t) => t.margin === 'county');
    expect(county).toEqual([
      { margin: 'county', group: '06001', count: 29, shown: 29 },
      { margin: 'county', group: '06003', count: 42, shown: 42 },
    ]);
    expect(s.totals.find((t) => t.margin === 'state')).toEqual({
      margin: 'state',
      group: 'CA',
      count: 71,
      shown: 71,
    });
    expect(cellMargin(['county', 'sex']).group(cell('06001', 'F'))).toBe('06001|F');
  });
});

describe('suppress: properties', () => {
  const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 11, max: 200 }));
  const table = fc
    .record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 1, max: 5 }) })
    .chain(({ rows, cols }) =>
      fc
        .array(count, { minLength: rows * cols, maxLength: rows * cols })
        .map((counts) =>
          counts.map((n, i) => ({ key: [`r${Math.floor(i / cols)}`, `c${i % cols}`] as RC, count: n })),
        ),
    );

  it('withholds every 1–10, shows 0, and shows ≥ 11 unless withheld as a complement', () => {
    fc.assert(
      fc.property(table, (t) => {
        const s = suppress(t, [ROWS, COLS, STATE]);
        for (const c of s.cells) {
          if (c.count === 0) expect(c.shown).toBe(0);
          else if (c.count <= 10) expect(c.shown).toBe('<11');
          else if (c.suppressed) expect([c.suppressed, c.shown]).toEqual(['complementary', '*']);
          else expect(c.shown).toBe(c.count);
        }
      }),
    );
  });

  it('never lets a published total, less the cells shown, pin a withheld cell down', () => {
    fc.assert(
      fc.property(table, (t) => {
        const margins = [ROWS, COLS, STATE];
        const s = suppress(t, margins);
        for (const total of s.totals) {
          if (typeof total.shown !== 'number') continue;
          const m = margins.find((x) => x.name === total.margin)!;
          const inGroup = s.cells.filter((c) => m.group(c.key) === total.group);
          const visible = inGroup.reduce((sum, c) => sum + (typeof c.shown === 'number' ? c.shown : 0), 0);
          const hidden = inGroup.filter((c) => typeof c.shown !== 'number');
          const left = total.shown - visible;
          if (hidden.length === 0) expect(left).toBe(0);
          // What a reader knows: "<11" is 1–10, "*" is 11 or more, and together they make `left`.
          const lo = hidden.map((c) => (c.shown === '<11' ? 1 : 11));
          const hi = hidden.map((c) => (c.shown === '<11' ? 10 : Number.POSITIVE_INFINITY));
          const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
          hidden.forEach((_, i) => {
            const othersLo = sum(lo.filter((_, j) => j !== i));
            const othersHi = sum(hi.filter((_, j) => j !== i));
            const min = Math.max(lo[i]!, left - othersHi);
            const max = Math.min(hi[i]!, left - othersLo);
            expect(max).toBeGreaterThan(min);
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hides one more cell when the hidden ones could only be 10 and 10, or 1 and 11', () => {
    const tens = suppress(grid({ A: { x: 10, y: 10, z: 50 } }), [ROWS]);
    expect(shown(tens)).toEqual({ Ax: '<11', Ay: '<11', Az: '*' });
    expect(tens.totals[0]?.shown).toBe(70);
    const ones = suppress(grid({ A: { x: 1, y: 11, z: 12, w: 40 } }), [ROWS]);
    expect(shown(ones)).toEqual({ Ax: '<11', Ay: '*', Az: '*', Aw: 40 });
    // Nothing left to hide: the total would give both back, so it is withheld.
    const bare = suppress(grid({ A: { x: 10, y: 10, z: 0 } }), [ROWS]);
    expect(bare.totals[0]?.shown).toBe('*');
  });

  it('depends only on the table: suppressing the same table twice gives the same result', () => {
    fc.assert(
      fc.property(table, (t) => {
        expect(suppress(t, [ROWS, COLS])).toEqual(suppress(t, [ROWS, COLS]));
      }),
    );
  });
});
