import type { DatedVersion } from './lot-dates.ts';

/** A lot's expiration as the API answers it: the version in force (null: none on record) and every version. */
export function expirationView(history: readonly DatedVersion[], current: DatedVersion | undefined) {
  return {
    expiration: current?.value ?? null,
    version: current?.version ?? null,
    effective_at: current?.effective_at ?? null,
    history: history.map((v) => ({
      version: v.version,
      expiration: v.value,
      effective_at: v.effective_at,
      effective_day: v.effective_day,
      set_by: v.set_by,
    })),
  };
}

/** One site's beyond-use date of a lot as the API answers it, like the expiration. */
export function beyondUseView(
  iisId: string,
  history: readonly DatedVersion[],
  current: DatedVersion | undefined,
) {
  return {
    iis_id: iisId,
    beyond_use_date: current?.value ?? null,
    version: current?.version ?? null,
    effective_at: current?.effective_at ?? null,
    history: history.map((v) => ({
      version: v.version,
      beyond_use_date: v.value,
      effective_at: v.effective_at,
      effective_day: v.effective_day,
      set_by: v.set_by,
    })),
  };
}
