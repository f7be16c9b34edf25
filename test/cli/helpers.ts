import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../scripts/lib/cli.ts';

/** An Io that collects what a command writes; stderr is not a terminal unless `tty`. */
export function captureIo(env: Record<string, string | undefined> = {}, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t), isTTY: tty, columns: 100 },
    env,
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The number in a summary line such as "accepted   1,234". */
export function summaryCount(text: string, label: string): number | undefined {
  const m = new RegExp(`^${label}\\s+([\\d,]+)`, 'm').exec(text);
  return m ? Number(m[1]!.replaceAll(',', '')) : undefined;
}

/** The first bytes of a zip (an .xlsx): binary, not text. */
export const BINARY = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00]);

/** A CVRS file without the admin_date and cvx columns. */
export function withoutColumns(file: string, drop: readonly string[]): string {
  const lines = file.split('\n');
  const header = lines[0]!.split('\t');
  const gone = new Set(drop.map((c) => header.indexOf(c)));
  return lines
    .map((l) =>
      l
        ? l
            .split('\t')
            .filter((_, i) => !gone.has(i))
            .join('\t')
        : l,
    )
    .join('\n');
}
