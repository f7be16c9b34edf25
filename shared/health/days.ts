import { dayStatus } from '#cdc/store.ts';
import { addDays } from '#platform/dates.ts';

export interface CdcDay {
  day: string;
  /** closed: built, not yet uploaded; uploaded: every file sent; open: nothing built yet. */
  state: 'open' | 'closed' | 'uploaded';
  files: number;
  records: number;
  receipts: number;
  /** Records CDC's receipts refused (validation and processing errors). */
  refused: number;
  /** Records that failed our own CVRS checks and were not sent. */
  heldBack: number;
  lastError?: string;
}

/** The CDC report of each of the `n` California days before `today`, newest first (counts only). */
export async function cdcDays(today: string, n = 7): Promise<CdcDay[]> {
  const days = Array.from({ length: n }, (_, i) => addDays(today, -(i + 1)));
  return Promise.all(
    days.map(async (day) => {
      const s = await dayStatus(day);
      const receipts = Object.values(s.receipts);
      return {
        day,
        state: s.uploadedAt ? 'uploaded' : s.closedAt ? 'closed' : 'open',
        files: s.manifest?.files.length ?? 0,
        records: s.manifest?.files.reduce((sum, f) => sum + f.records, 0) ?? 0,
        receipts: receipts.length,
        refused: receipts.reduce((sum, r) => sum + r.validationErrors + r.processingErrors, 0),
        heldBack: s.manifest?.held_back ?? 0,
        ...(s.lastError ? { lastError: s.lastError } : {}),
      } satisfies CdcDay;
    }),
  );
}
