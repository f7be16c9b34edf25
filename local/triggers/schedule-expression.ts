/**
 * EventBridge Scheduler expressions, `rate(...)` and `cron(...)`: parsed, and their next run after an instant,
 * with cron fields read in the schedule's IANA time zone.
 *
 * DST, as EventBridge Scheduler documents it: a cron time that does not exist on the spring-forward day is
 * skipped (the AWS behaviour, default) — or, with `dstGap: 'next-valid'`, run at the first instant after the gap;
 * a time that occurs twice on the fall-back day runs once, at its first occurrence. `rate(N days)` means N×24 h
 * after the previous run, whatever the wall clock does.
 */
import { instantsOf, localTime, offsetAt } from './schedule-zone.ts';

export type DstGapPolicy = 'skip' | 'next-valid';

export interface NextRunOptions {
  /** What to do with a cron time that falls in a spring-forward gap (default 'skip', as AWS does). */
  dstGap?: DstGapPolicy;
}

type RateSchedule = { kind: 'rate'; ms: number };

interface CronField {
  values: Set<number>;
  any: boolean;
}

interface CronSchedule {
  kind: 'cron';
  minutes: CronField;
  hours: CronField;
  daysOfMonth: CronField & { last: boolean; noSpec: boolean };
  months: CronField;
  daysOfWeek: CronField & { nth?: { dow: number; n: number }; lastDow?: number; noSpec: boolean };
  years: CronField;
}

export type Schedule = RateSchedule | CronSchedule;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(text: string, min: number, max: number, names: string[] = [], nameBase = 1): CronField {
  const values = new Set<number>();
  const toNumber = (token: string): number => {
    const upper = token.toUpperCase();
    const named = names.indexOf(upper);
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`value "${token}" out of range ${min}-${max}`);
    return n;
  };
  if (text === '*') {
    for (let v = min; v <= max; v++) values.add(v);
    return { values, any: true };
  }
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      from = toNumber(a);
      to = toNumber(b);
    } else {
      from = toNumber(range);
      to = stepText === undefined ? from : max;
    }
    if (from > to) throw new Error(`bad range "${range}"`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values, any: false };
}

/** Parses `rate(N unit)` or `cron(min hour dom month dow year)`; throws with a reason on anything else. */
export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!;
    if (n < 1) throw new Error(`invalid schedule expression ${expression}: the rate must be positive`);
    if ((n === 1) !== !unit.endsWith('s')) {
      throw new Error(
        `invalid schedule expression ${expression}: use "1 ${unit.replace(/s$/, '')}" or "N ${unit.replace(/s?$/, 's')}"`,
      );
    }
    const unitMs = unit.startsWith('minute') ? 60_000 : unit.startsWith('hour') ? 3_600_000 : 86_400_000;
    return { kind: 'rate', ms: n * unitMs };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (!cron) throw new Error(`invalid schedule expression ${expression}: expected rate(...) or cron(...)`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`invalid schedule expression ${expression}: cron needs 6 fields`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  try {
    if ((dom === '?') === (dow === '?')) {
      throw new Error('exactly one of day-of-month and day-of-week must be "?"');
    }
    let daysOfMonth: CronSchedule['daysOfMonth'];
    if (dom === '?') daysOfMonth = { values: new Set(), any: false, last: false, noSpec: true };
    else if (dom === 'L') daysOfMonth = { values: new Set(), any: false, last: true, noSpec: false };
    else if (/W/i.test(dom)) throw new Error('the W (nearest weekday) wildcard is not supported locally');
    else daysOfMonth = { ...parseField(dom, 1, 31), last: false, noSpec: false };

    let daysOfWeek: CronSchedule['daysOfWeek'];
    const nth = /^(\w+)#([1-5])$/.exec(dow);
    const lastDow = /^(\w+)L$/i.exec(dow);
    const dowNumber = (token: string) => [...parseField(token, 1, 7, DAYS).values][0]!;
    if (dow === '?') daysOfWeek = { values: new Set(), any: false, noSpec: true };
    else if (nth)
      daysOfWeek = {
        values: new Set(),
        any: false,
        noSpec: false,
        nth: { dow: dowNumber(nth[1]!), n: Number(nth[2]) },
      };
    else if (dow.toUpperCase() === 'L') daysOfWeek = { values: new Set([7]), any: false, noSpec: false };
    else if (lastDow)
      daysOfWeek = { values: new Set(), any: false, noSpec: false, lastDow: dowNumber(lastDow[1]!) };
    else daysOfWeek = { ...parseField(dow, 1, 7, DAYS), noSpec: false };

    return {
      kind: 'cron',
      minutes: parseField(min, 0, 59),
      hours: parseField(hour, 0, 23),
      daysOfMonth,
      months: parseField(month, 1, 12, MONTHS),
      daysOfWeek,
      years: parseField(year, 1970, 2199),
    };
  } catch (err) {
    throw new Error(`invalid schedule expression ${expression}: ${(err as Error).message}`);
  }
}

function dayMatches(s: CronSchedule, year: number, month: number, day: number): boolean {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const dow = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1; // 1 = SUN … 7 = SAT
  if (!s.daysOfMonth.noSpec) {
    return s.daysOfMonth.last ? day === daysInMonth : s.daysOfMonth.values.has(day);
  }
  const w = s.daysOfWeek;
  if (w.nth) return dow === w.nth.dow && Math.ceil(day / 7) === w.nth.n;
  if (w.lastDow !== undefined) return dow === w.lastDow && day + 7 > daysInMonth;
  return w.values.has(dow);
}

const MAX_YEAR = 2199;

/**
 * The first run of `expression` strictly after `after`, evaluating cron fields in `timezone`. For `rate(...)`
 * this is `after` plus the rate (the scheduler passes the previous run's time).
 */
export function nextRun(
  expression: string,
  timezone: string,
  after: Date,
  options: NextRunOptions = {},
): Date {
  const schedule = parseSchedule(expression);
  return nextRunOf(schedule, timezone, after, options);
}

export function nextRunOf(
  schedule: Schedule,
  timezone: string,
  after: Date,
  options: NextRunOptions = {},
): Date {
  const afterMs = after.getTime();
  if (schedule.kind === 'rate') return new Date(afterMs + schedule.ms);
  const dstGap = options.dstGap ?? 'skip';
  const minutes = [...schedule.minutes.values].sort((a, b) => a - b);
  const hours = [...schedule.hours.values].sort((a, b) => a - b);
  // Start from the local calendar day before `after` (a run in a fall-back overlap may belong to it).
  const start = localTime(afterMs, timezone);
  const offsetAfter = offsetAt(afterMs, timezone);
  let cursor = Date.UTC(start.year, start.month - 1, start.day) - 86_400_000;
  for (;;) {
    const d = new Date(cursor);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    if (year > MAX_YEAR) throw new Error(`schedule has no run after ${after.toISOString()}`);
    if (!schedule.years.values.has(year)) {
      cursor = Date.UTC(year + 1, 0, 1);
      continue;
    }
    if (!schedule.months.values.has(month)) {
      cursor = Date.UTC(year, month, 1);
      continue;
    }
    if (dayMatches(schedule, year, month, day)) {
      for (const hour of hours) {
        for (const minute of minutes) {
          // A wall time that, even allowing for a DST shift, reads well before `after` cannot be after it.
          if (Date.UTC(year, month - 1, day, hour, minute) - offsetAfter + 3 * 3_600_000 <= afterMs) continue;
          const { instants, gapEnd } = instantsOf({ year, month, day, hour, minute }, timezone);
          // Fall back: a repeated wall time runs once, at its first occurrence.
          const at = instants.length ? instants[0]! : dstGap === 'next-valid' ? gapEnd! : undefined;
          if (at !== undefined && at > afterMs) return new Date(at);
        }
      }
    }
    cursor += 86_400_000;
  }
}
