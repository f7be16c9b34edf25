/** What every benchmark figure shares: where it writes, whether it runs --quick, and how it prints its table. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const root = resolve(import.meta.dirname, '..');
/** Where generated files, bundles and plans go. */
export const out = join(root, '.bench');
mkdirSync(out, { recursive: true });
/** `-- --quick`: smaller inputs and shorter runs. */
export const quick = process.argv.includes('--quick');

export function table(title: string, rows: (string | number)[][]): void {
  console.log(`\n${title}`);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const [n, r] of rows.entries()) {
    console.log(r.map((c, i) => String(c).padEnd(widths[i]!)).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
