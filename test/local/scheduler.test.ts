import { resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvoker, type LocalFunctionSpec } from '../../local/lambda.ts';
import {
  instantsOf,
  localTime,
  nextRun,
  parseSchedule,
  type Scheduler,
  startScheduler,
} from '../../local/triggers/scheduler.ts';
import { fixtureState, resetFixtureState } from './fixtures/state.ts';
import { quiet, waitFor } from './helpers.ts';

const LA = 'America/Los_Angeles';
const at = (iso: string) => new Date(iso);
const next = (expression: string, timezone: string, after: string, dstGap?: 'skip' | 'next-valid') =>
  nextRun(expression, timezone, at(after), { dstGap }).toISOString();

describe('nextRun: cron in a time zone', () => {
  // 2026 in Los Angeles: DST starts Sunday 8 March (02:00 PST → 03:00 PDT), ends Sunday 1 November
  // (02:00 PDT → 01:00 PST).
  it('runs a 02:00 Los Angeles job at 02:00 local on both sides of DST', () => {
    const daily = 'cron(0 2 * * ? *)';
    expect(next(daily, LA, '2026-03-06T12:00:00Z')).toBe('2026-03-07T10:00:00.000Z'); // 02:00 PST
    expect(next(daily, LA, '2026-03-08T12:00:00Z')).toBe('2026-03-09T09:00:00.000Z'); // 02:00 PDT
    expect(next(daily, LA, '2026-10-30T12:00:00Z')).toBe('2026-10-31T09:00:00.000Z'); // 02:00 PDT
    expect(next(daily, LA, '2026-10-31T12:00:00Z')).toBe('2026-11-01T10:00:00.000Z'); // 02:00 PST, after the fall back
    expect(next(daily, LA, '2026-11-01T12:00:00Z')).toBe('2026-11-02T10:00:00.000Z');
  });

  it('skips a time that does not exist on the spring-forward day (EventBridge Scheduler)', () => {
    expect(next('cron(0 2 * * ? *)', LA, '2026-03-07T12:00:00Z')).toBe('2026-03-09T09:00:00.000Z');
    expect(next('cron(30 2 * * ? *)', LA, '2026-03-07T12:00:00Z')).toBe('2026-03-09T09:30:00.000Z');
  });

  it("with dstGap 'next-valid', runs it at the first instant after the gap, once", () => {
    expect(next('cron(0 2 * * ? *)', LA, '2026-03-07T12:00:00Z', 'next-valid')).toBe(
      '2026-03-08T10:00:00.000Z',
    ); // 03:00 PDT
    expect(next('cron(30 2 * * ? *)', LA, '2026-03-07T12:00:00Z', 'next-valid')).toBe(
      '2026-03-08T10:00:00.000Z',
    );
    const quarter = 'cron(0/15 2 * * ? *)';
    expect(next(quarter, LA, '2026-03-08T09:59:00Z', 'next-valid')).toBe('2026-03-08T10:00:00.000Z');
    expect(next(quarter, LA, '2026-03-08T10:00:00Z', 'next-valid')).toBe('2026-03-09T09:00:00.000Z');
  });

  it('runs a time repeated on the fall-back day once, at its first occurrence', () => {
    const job = 'cron(30 1 * * ? *)';
    expect(next(job, LA, '2026-11-01T07:00:00Z')).toBe('2026-11-01T08:30:00.000Z'); // 01:30 PDT
    expect(next(job, LA, '2026-11-01T08:30:00Z')).toBe('2026-11-02T09:30:00.000Z'); // not 01:30 PST again
    const hourly = 'cron(0 * * * ? *)';
    expect(next(hourly, LA, '2026-11-01T08:00:00Z')).toBe('2026-11-01T10:00:00.000Z'); // 01:00 PST skipped
  });

  it('handles other zones and gaps at midnight', () => {
    // London springs forward at 01:00 GMT on 29 March 2026.
    expect(next('cron(30 1 * * ? *)', 'Europe/London', '2026-03-28T12:00:00Z')).toBe(
      '2026-03-30T00:30:00.000Z',
    );
    // Santiago springs forward at midnight on 6 September 2026: that day has no 00:00.
    expect(next('cron(0 0 * * ? *)', 'America/Santiago', '2026-09-05T12:00:00Z')).toBe(
      '2026-09-07T03:00:00.000Z',
    );
    expect(next('cron(0 0 * * ? *)', 'America/Santiago', '2026-09-05T12:00:00Z', 'next-valid')).toBe(
      '2026-09-06T04:00:00.000Z',
    );
    expect(next('cron(0 9 * * ? *)', 'Asia/Kolkata', '2026-01-01T00:00:00Z')).toBe(
      '2026-01-01T03:30:00.000Z',
    );
    expect(next('cron(0 12 * * ? *)', 'UTC', '2026-01-01T12:00:00Z')).toBe('2026-01-02T12:00:00.000Z');
  });

  it('supports lists, ranges, steps, names, L and #', () => {
    expect(next('cron(0 9 ? * MON-FRI *)', 'UTC', '2026-03-07T00:00:00Z')).toBe('2026-03-09T09:00:00.000Z'); // Sat → Mon
    expect(next('cron(0 9 ? * 2-6 *)', 'UTC', '2026-03-07T00:00:00Z')).toBe('2026-03-09T09:00:00.000Z');
    expect(next('cron(0 12 ? * 1 *)', 'UTC', '2026-03-09T00:00:00Z')).toBe('2026-03-15T12:00:00.000Z'); // 1 = SUN
    expect(next('cron(0 12 ? * SAT,SUN *)', 'UTC', '2026-03-09T00:00:00Z')).toBe('2026-03-14T12:00:00.000Z');
    expect(next('cron(0/20 8,10 1 * ? *)', 'UTC', '2026-03-01T08:20:00Z')).toBe('2026-03-01T08:40:00.000Z');
    expect(next('cron(0/20 8,10 1 * ? *)', 'UTC', '2026-03-01T08:40:00Z')).toBe('2026-03-01T10:00:00.000Z');
    expect(next('cron(5-10/5 * * * ? *)', 'UTC', '2026-03-01T08:06:00Z')).toBe('2026-03-01T08:10:00.000Z');
    expect(next('cron(0 0 1 JAN-MAR/2 ? *)', 'UTC', '2026-01-15T00:00:00Z')).toBe('2026-03-01T00:00:00.000Z');
    expect(next('cron(0 0 L * ? *)', 'UTC', '2028-02-10T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('cron(0 10 ? * 3#2 *)', 'UTC', '2026-03-01T00:00:00Z')).toBe('2026-03-10T10:00:00.000Z'); // 2nd Tue
    expect(next('cron(0 10 ? * 6L *)', 'UTC', '2026-03-01T00:00:00Z')).toBe('2026-03-27T10:00:00.000Z'); // last Fri
    expect(next('cron(0 0 1 1 ? 2030)', 'UTC', '2026-03-07T00:00:00Z')).toBe('2030-01-01T00:00:00.000Z');
    expect(next('cron(0 0 29 2 ? *)', LA, '2026-03-01T00:00:00Z')).toBe('2028-02-29T08:00:00.000Z');
  });

  it('returns times strictly after `after`, on the minute', () => {
    expect(next('cron(* * * * ? *)', 'UTC', '2026-03-01T08:00:00Z')).toBe('2026-03-01T08:01:00.000Z');
    expect(next('cron(* * * * ? *)', 'UTC', '2026-03-01T08:00:30.500Z')).toBe('2026-03-01T08:01:00.000Z');
  });

  it('rejects what EventBridge Scheduler rejects, and what is not supported locally', () => {
    for (const bad of [
      'cron(0 2 * * * *)', // both day fields
      'cron(0 2 ? * ? *)', // neither
      'cron(0 2 * * ?)', // five fields
      'cron(60 2 * * ? *)',
      'cron(0 2 * * ? 1969)',
      'cron(0 2 ? * 8 *)',
      'cron(0 2 15W * ? *)',
      'rate(0 minutes)',
      'rate(1 minutes)',
      'rate(5 minute)',
      'rate(5 seconds)',
      'at(2026-01-01T00:00:00)',
    ]) {
      expect(() => parseSchedule(bad), bad).toThrow(/invalid schedule expression/);
    }
    expect(() => nextRun('cron(0 0 1 1 ? 2020)', 'UTC', at('2026-01-01T00:00:00Z'))).toThrow(/no run after/);
  });

  it('agrees with a brute-force minute scan (daily and hourly crons, any zone, any instant)', () => {
    const zones = [LA, 'Europe/London', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        fc.boolean(),
        (zone, afterMs, hour, minute, hourly) => {
          const expression = hourly ? `cron(${minute} * * * ? *)` : `cron(${minute} ${hour} * * ? *)`;
          const got = nextRun(expression, zone, new Date(afterMs)).getTime();
          // Brute force: the first minute after `after` whose wall clock matches and whose wall time is not a
          // repeat of one already seen (first occurrence only).
          let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
          for (; ; t += 60_000) {
            const l = localTime(t, zone);
            if (l.minute !== minute || (!hourly && l.hour !== hour)) continue;
            const { instants } = instantsOf(l, zone);
            if (instants[0] === t) break;
          }
          expect(got).toBe(t);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('nextRun: rate', () => {
  it('is the previous run plus the rate, in elapsed time across DST', () => {
    expect(next('rate(5 minutes)', LA, '2026-03-08T09:58:00Z')).toBe('2026-03-08T10:03:00.000Z');
    expect(next('rate(1 hour)', LA, '2026-03-08T09:30:00Z')).toBe('2026-03-08T10:30:00.000Z');
    expect(next('rate(1 day)', LA, '2026-03-07T20:00:00Z')).toBe('2026-03-08T20:00:00.000Z'); // 24 h, not wall clock
    expect(next('rate(2 days)', 'UTC', '2026-03-07T20:00:00Z')).toBe('2026-03-09T20:00:00.000Z');
  });
});

describe('startScheduler', () => {
  const functions: Record<string, LocalFunctionSpec> = {
    sweeper: {
      entry: 'test/local/fixtures/scheduled.ts',
      description: 'fixture',
      timeoutSeconds: 7,
      memoryMb: 128,
      schedules: [
        { expression: 'rate(1 minute)', timezone: LA, input: { olderThanSeconds: 60 } },
        { expression: 'cron(0 2 * * ? *)', timezone: LA, input: { nightly: true } },
      ],
    },
    unwritten: {
      entry: 'test/local/fixtures/nope.ts',
      description: 'fixture',
      timeoutSeconds: 7,
      memoryMb: 128,
      schedules: [{ expression: 'rate(1 minute)', timezone: 'UTC', input: {} }],
    },
  };
  let scheduler: Scheduler;
  const lines: string[] = [];
  beforeEach(() => resetFixtureState());
  afterEach(() => scheduler.stop());

  it('invokes a rate schedule at once with its input, plans the cron one, and skips a missing module', async () => {
    const before = new Date();
    const logger = quiet(lines);
    scheduler = startScheduler({
      functions,
      invoker: createInvoker({ rootDir: resolve(import.meta.dirname, '../..'), functions, logger }),
      logger,
    });
    await waitFor(() => fixtureState().scheduled.length === 1);
    const run = fixtureState().scheduled[0]!;
    expect(run.event).toEqual({ olderThanSeconds: 60 });
    expect(run.remainingMs).toBeGreaterThan(6000);
    const upcoming = scheduler.upcoming();
    const cron = upcoming.find((u) => u.expression.startsWith('cron'))!;
    expect(cron.at.toISOString()).toBe(nextRun('cron(0 2 * * ? *)', LA, before).toISOString());
    const rate = upcoming.find((u) => u.functionName === 'sweeper' && u.expression.startsWith('rate'))!;
    expect(rate.at.getTime() - run.at).toBeGreaterThan(59_000);
    await waitFor(() => lines.some((l) => l.includes('function unwritten unavailable')));
  });
});
