/**
 * EventBridge Scheduler, locally: `rate(...)` and `cron(...)` schedules evaluated in the schedule's IANA time
 * zone, invoking the target function with the schedule's `input` as its event. The expressions and their DST
 * rules: ./schedule-expression.ts.
 */
import type { Invoker, LocalFunctionSpec } from '../lambda.ts';
import { defaultLogger, type Logger } from '../log.ts';
import { type DstGapPolicy, nextRunOf, parseSchedule } from './schedule-expression.ts';

export {
  type DstGapPolicy,
  type NextRunOptions,
  nextRun,
  nextRunOf,
  parseSchedule,
  type Schedule,
} from './schedule-expression.ts';
export { instantsOf, localTime } from './schedule-zone.ts';

export interface SchedulerOptions {
  functions: Record<string, LocalFunctionSpec>;
  invoker: Invoker;
  logger?: Logger;
  /** A rate schedule without StartDate invokes at once when created (AWS); false waits one period first. */
  rateStartsImmediately?: boolean;
  dstGap?: DstGapPolicy;
  /** Asynchronous invocation payload limit (bytes); Lambda allows 1 MB for async invokes. */
  maxAsyncPayloadBytes?: number;
}

export interface ScheduledRun {
  functionName: string;
  expression: string;
  timezone: string;
  at: Date;
}

export interface Scheduler {
  /** The next planned run of each schedule. */
  upcoming(): ScheduledRun[];
  /** Stops planning runs and waits for started invocations to settle. */
  stop(): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function startScheduler(options: SchedulerOptions): Scheduler {
  const logger = options.logger ?? defaultLogger;
  const rateStartsImmediately = options.rateStartsImmediately ?? true;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  const plans: ScheduledRun[] = [];
  let stopped = false;

  for (const [functionName, spec] of Object.entries(options.functions)) {
    for (const scheduleSpec of spec.schedules ?? []) {
      const schedule = parseSchedule(scheduleSpec.expression);
      const plan: ScheduledRun = {
        functionName,
        expression: scheduleSpec.expression,
        timezone: scheduleSpec.timezone,
        at: new Date(),
      };
      plans.push(plan);
      const next = (previous: Date): Date => {
        const now = Date.now();
        let at = nextRunOf(schedule, scheduleSpec.timezone, previous, { dstGap: options.dstGap });
        // Runs missed while the process was suspended are not replayed.
        if (at.getTime() < now - 60_000)
          at = nextRunOf(schedule, scheduleSpec.timezone, new Date(now), { dstGap: options.dstGap });
        return at;
      };
      const arm = (at: Date) => {
        if (stopped) return;
        plan.at = at;
        const delay = at.getTime() - Date.now();
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            if (delay > MAX_TIMER_MS) return arm(at); // long waits in steps
            fire(at);
          },
          Math.min(Math.max(0, delay), MAX_TIMER_MS),
        );
        timers.add(timer);
      };
      const fire = (at: Date) => {
        if (stopped) return;
        // Scheduler invokes Lambda asynchronously: the input is the event; failures are logged, not retried.
        const run = options.invoker
          .invoke(functionName, structuredClone(scheduleSpec.input), {
            maxPayloadBytes: options.maxAsyncPayloadBytes ?? 1024 * 1024,
          })
          .catch(() => undefined); // logged by the invoker
        running.add(run);
        run.finally(() => running.delete(run));
        arm(next(at));
      };
      if (schedule.kind === 'rate' && rateStartsImmediately) arm(new Date());
      else arm(next(new Date()));
    }
  }
  if (plans.length) logger(`[local] scheduler: ${plans.length} schedule(s)`);

  return {
    upcoming: () => plans.map((p) => ({ ...p })),
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}
