import { sweepStuckUploads } from '#files/sweep.ts';
import type { SweepOptions } from '#files/sweep-clock.ts';

/**
 * Scheduled: picks up uploads that stopped moving. `received` ones are notified to the planner again, or failed
 * when their file never came; `processing` ones get their unfinished chunks queued again, or their assembly, and
 * after a few sweeps without a chunk finishing they fail with a clear finding that says what last failed (a
 * chunk that fails every time lands in the DLQ, where operators see it).
 *
 * Each pick-up is logged and recorded on the upload (FILE_STUCK, stage replan or requeue; GET /v1/uploads/{id}
 * shows it).
 */
export const handler = async (event: SweepOptions = {}) => sweepStuckUploads(event);
