/** Upload URLs live 15 minutes; a slow upload may still be arriving well after that. */
const NEVER_ARRIVED_AFTER_SECONDS = 3600;
/** An upload not touched for this long is stuck. */
const STUCK_AFTER_SECONDS = 900;

export interface SweepOptions {
  stuckAfterSeconds?: number;
  neverArrivedAfterSeconds?: number;
}

/** What one sweep did, as the sweeper answers and logs it. */
export interface SweepCounts {
  replanned: number;
  requeued: number;
  failed: number;
  errors: number;
}

/** One sweep's time: its start (and as an ISO stamp), its cut-offs, and the idle time in words. */
export interface SweepClock {
  now: Date;
  stamp: string;
  /** Uploads not touched since are stuck. */
  stuckBefore: string;
  /** Uploads created before, whose file never came, are failed. */
  neverBefore: string;
  idle: string;
}

export function sweepClock(options: SweepOptions, now: Date): SweepClock {
  const stuckAfter = options.stuckAfterSeconds ?? STUCK_AFTER_SECONDS;
  const neverArrivedAfter = options.neverArrivedAfterSeconds ?? NEVER_ARRIVED_AFTER_SECONDS;
  const minutes = Math.round(stuckAfter / 60);
  return {
    now,
    stamp: now.toISOString(),
    stuckBefore: new Date(now.getTime() - stuckAfter * 1000).toISOString(),
    neverBefore: new Date(now.getTime() - neverArrivedAfter * 1000).toISOString(),
    idle: `${minutes} minute${minutes === 1 ? '' : 's'}`,
  };
}
