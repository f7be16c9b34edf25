/**
 * Small-cell suppression (issue 15) for every count a site or the public could see.
 *
 * 1. A count from 1 to 10 is withheld and shown as "<11"; 0 is shown (it discloses nobody).
 * 2. Complementary suppression: a published total (a margin) minus the cells shown must never leave exactly one
 *    withheld cell, or that cell could be worked out. So for every group of cells summed into a published total,
 *    when exactly one of its cells is withheld, the smallest non-zero cell still shown in that group is withheld
 *    too ("*", it is 11 or more). Withholding it can leave another total with one withheld cell, so this repeats
 *    until no published total has exactly one.
 * 3. A total whose group has only one withheld cell and nothing left to withhold beside it (every other cell 0)
 *    would equal that cell: the total is withheld too.
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
  const queue = groups.map((_, i) => i);
  const queued = new Set(queue);
  while (queue.length > 0) {
    const gi = queue.shift()!;
    queued.delete(gi);
    const { cells } = groups[gi]!;
    if (cells.filter((i) => state[i] !== undefined).length !== 1) continue;
    // The smallest non-zero cell still shown; on a tie the earliest, so the result depends only on the table.
    let pick: number | undefined;
    for (const i of cells)
      if (
        state[i] === undefined &&
        table[i]!.count > 0 &&
        (pick === undefined || table[i]!.count < table[pick]!.count)
      )
        pick = i;
    if (pick === undefined) continue;
    state[pick] = 'complementary';
    for (const other of groupsOf[pick]!)
      if (!queued.has(other)) {
        queued.add(other);
        queue.push(other);
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
    totals: groups.map(({ margin, group, cells }) => {
      const count = cells.reduce((sum, i) => sum + table[i]!.count, 0);
      const alone = cells.filter((i) => state[i] !== undefined).length === 1;
      const shown = isSmall(count, rule) ? rule.small : alone ? rule.complementary : count;
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
