import type { UploadFailure } from './failures.ts';

/** The latest failure not resolved since, other than the sweeper's own notes, as a sentence (or nothing). */
export function lastFailure(failures: UploadFailure[], lead: string): string {
  const open = failures
    .filter((f) => !f.resolved_at && f.code !== 'FILE_STUCK')
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1);
  if (!open) return '';
  return `${lead}${open.code} at ${open.stage}${open.chunk === null ? '' : `, part ${open.chunk + 1}`} (${open.error ?? 'no error'}), ${open.attempts} time${open.attempts === 1 ? '' : 's'}.`;
}

/** 1, 2, 3, 7 → "1–3, 7"; long lists end in "…". */
export function summarize(parts: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < parts.length; ) {
    let j = i;
    while (j + 1 < parts.length && parts[j + 1] === parts[j]! + 1) j++;
    ranges.push(i === j ? String(parts[i]) : `${parts[i]}–${parts[j]}`);
    i = j + 1;
  }
  return ranges.length > 10 ? `${ranges.slice(0, 10).join(', ')}, …` : ranges.join(', ');
}
