/**
 * Small-cell suppression (issue 15) for every count a site or the public could see.
 *
 * 1. A count from 1 to 10 is withheld and shown as "<11"; 0 is shown (it discloses nobody).
 * 2. Complementary suppression: a published total (a margin) minus the cells shown must never leave exactly one
 *    withheld cell, or that cell could be worked out. So for every group of cells summed into a published total,
 *    when exactly one of its cells is withheld, the smallest non-zero cell still shown in that group is withheld
 *    too ("*", it is 11 or more). The same when the withheld cells could only be what they are (two "<11" that
 *    the total shows add up to 20 are both 10; a "<11" and a "*" adding up to 12 are 1 and 11). Withholding a
 *    cell can expose another total, so this repeats until no published total gives a withheld cell back.
 * 3. A total that would still give a withheld cell back with nothing left to withhold beside it (every other
 *    cell 0) is withheld too.
 *
 * The margins are the caller's: the totals it actually publishes. For the cell tables, PUBLISHED_MARGINS.
 */
import type { Cell, CellDimension } from './cells.ts';
import { PUBLISHED_MARGINS, SUPPRESSION, type SuppressionRule } from './config.ts';

export interface Margin<K> {
  /** Names the margin in the totals, e.g. "county". */
  name: string;
  /** Cells with the same group are summed into one published total. */
  group: (key: K) => string;
}

export type Shown = number | string;

export interface ShownCell<K> {
  key: K;
  count: number;
  shown: Shown;
  suppressed?: 'small' | 'complementary';
}

export interface ShownTotal {
  margin: string;
  group: string;
  count: number;
  shown: Shown;
}

export interface Suppressed<K> {
  /** In the order given. */
  cells: ShownCell<K>[];
  /** Per margin (in the order given), groups in the order their first cell came. */
  totals: ShownTotal[];
}

const isSmall = (n: number, rule: SuppressionRule) => n > 0 && n < rule.threshold;

export function suppress<K>(
  table: readonly { key: K; count: number }[],
  margins: readonly Margin<K>[],
  rule: SuppressionRule = SUPPRESSION,
): Suppressed<K> {
  const state: ('small' | 'complementary' | undefined)[] = table.map((c) =>
    isSmall(c.count, rule) ? 'small' : undefined,
  );
  // Every published total's group, and the groups each cell is in.
  const groups: { margin: string; group: string; cells: number[] }[] = [];
  const groupsOf: number[][] = table.map(() => []);
  for (const m of margins) {
    const index = new Map<string, number>();
    table.forEach((c, i) => {
      const g = m.group(c.key);
      let gi = index.get(g);
      if (gi === undefined) {
        gi = groups.push({ margin: m.name, group: g, cells: [] }) - 1;
        index.set(g, gi);
      }
      groups[gi]!.cells.push(i);
      groupsOf[i]!.push(gi);
    });
  }
  // What each group has hidden, kept up to date, so checking a group never rescans a state-wide total.
  const small = groups.map(({ cells }) => cells.filter((i) => state[i] === 'small').length);
  const complementary = groups.map(() => 0);
  const left = groups.map(({ cells }) => cells.reduce((n, i) => n + (state[i] ? table[i]!.count : 0), 0));
  /**
   * Whether the total, less the cells shown, pins a hidden cell down: one hidden cell, or hidden cells that could
   * only be what they are (every "<11" a 1 and every "*" exactly the threshold; or only "<11" cells, all 10).
   */
  const exposed = (gi: number): boolean => {
    const s = small[gi]!;
    const c = complementary[gi]!;
    if (s + c === 0) return false;
    if (s + c === 1) return true;
    if (left[gi] === s + rule.threshold * c) return true;
    return c === 0 && left[gi] === (rule.threshold - 1) * s;
  };
  const queue = groups.map((_, i) => i);
  const queued = new Set(queue);
  for (let head = 0; head < queue.length; head++) {
    const gi = queue[head]!;
    queued.delete(gi);
    if (!exposed(gi)) continue;
    // The smallest non-zero cell still shown; on a tie the earliest, so the result depends only on the table.
    let pick: number | undefined;
    for (const i of groups[gi]!.cells)
      if (
        state[i] === undefined &&
        table[i]!.count > 0 &&
        (pick === undefined || table[i]!.count < table[pick]!.count)
      )
        pick = i;
    if (pick === undefined) continue;
    state[pick] = 'complementary';
    for (const other of groupsOf[pick]!) {
      complementary[other]!++;
      left[other]! += table[pick]!.count;
      if (!queued.has(other)) {
        queued.add(other);
        queue.push(other);
      }
    }
  }
  const shownCell = (i: number): Shown => {
    const s = state[i];
    return s === 'small' ? rule.small : s === 'complementary' ? rule.complementary : table[i]!.count;
  };
  return {
    cells: table.map((c, i) => {
      const s = state[i];
      return { key: c.key, count: c.count, shown: shownCell(i), ...(s ? { suppressed: s } : {}) };
    }),
    totals: groups.map(({ margin, group, cells }, gi) => {
      const count = cells.reduce((sum, i) => sum + table[i]!.count, 0);
      const shown = isSmall(count, rule) ? rule.small : exposed(gi) ? rule.complementary : count;
      return { margin, group, count, shown };
    }),
  };
}

/** The margin keeping `dims` of a cell (the others summed); [] is the state's total. */
export function cellMargin(dims: readonly CellDimension[]): Margin<Cell> {
  return {
    name: dims.length === 0 ? 'state' : dims.join('×'),
    group: (c) => (dims.length === 0 ? 'CA' : dims.map((d) => c[d]).join('|')),
  };
}

/** The margins published beside a cell table. */
export const CELL_MARGINS: readonly Margin<Cell>[] = PUBLISHED_MARGINS.map(cellMargin);

/** One count of each cell row (e.g. people_first_dose), suppressed against the published cell margins. */
export function suppressCells<R extends Cell>(
  rows: readonly R[],
  count: (row: R) => number,
  margins: readonly Margin<Cell>[] = CELL_MARGINS,
  rule: SuppressionRule = SUPPRESSION,
): Suppressed<R> {
  return suppress(
    rows.map((r) => ({ key: r, count: count(r) })),
    margins.map((m) => ({ name: m.name, group: (r: R) => m.group(r) })),
    rule,
  );
}
