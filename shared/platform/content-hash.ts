import { createHash } from 'node:crypto';
import { DOSE_FIELDS, type Dose } from '#doses/fields.ts';

/**
 * Identity of a dose's content: SHA-256 over its normalized fields in a fixed order, so the same dose sent
 * again (whatever its key order, spacing or letter case) is recognized as a duplicate.
 */
export function contentHash(dose: Partial<Dose>): string {
  const h = createHash('sha256');
  for (const f of DOSE_FIELDS) {
    const v = dose[f];
    if (v !== undefined) h.update(`${f}\u0000${v}\u0001`);
  }
  return h.digest('hex');
}
