/**
 * Time zone arithmetic for schedules, with Intl only: the wall clock of a zone at an instant, and the instants
 * (none, one or two around DST) at which it shows a given wall time.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

/** Wall-clock time in `timeZone` at instant `ms` (seconds dropped). */
export function localTime(ms: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
  };
}

/** UTC offset of `timeZone` at instant `ms`, in ms (local = UTC + offset). */
export function offsetAt(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instants at which the wall clock in `timeZone` shows the given local time: one normally, two in a
 * fall-back overlap (ascending), none in a spring-forward gap — then `gapEnd` is the first instant after it.
 */
export function instantsOf(t: LocalTime, timeZone: string): { instants: number[]; gapEnd?: number } {
  const guess = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  const offsets = new Set<number>();
  for (const probe of [-36, -12, 0, 12, 36]) offsets.add(offsetAt(guess + probe * 3_600_000, timeZone));
  const instants: number[] = [];
  for (const offset of offsets) {
    const candidate = guess - offset;
    const back = localTime(candidate, timeZone);
    if (
      back.year === t.year &&
      back.month === t.month &&
      back.day === t.day &&
      back.hour === t.hour &&
      back.minute === t.minute
    ) {
      instants.push(candidate);
    }
  }
  instants.sort((a, b) => a - b);
  if (instants.length) return { instants: [...new Set(instants)] };
  // In a gap: the transition lies between the instant read with the later offset and the one read with the
  // earlier; find the first minute that reads after the requested wall time.
  const sorted = [...offsets].sort((a, b) => a - b);
  let lo = guess - sorted[sorted.length - 1]!; // reads earlier than t
  let hi = guess - sorted[0]!; // reads later than t
  const wanted = guess;
  const reads = (ms: number) => {
    const l = localTime(ms, timeZone);
    return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
  };
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (reads(mid) > wanted) hi = mid;
    else lo = mid;
  }
  return { instants: [], gapEnd: hi };
}
