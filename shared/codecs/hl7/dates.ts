/**
 * HL7 DTM values. Dose dates are calendar dates (ISO `YYYY-MM-DD`, an expiration may be `YYYY-MM`); HL7 writes
 * them `YYYYMMDD` / `YYYYMM`. A date-time read for a date keeps its written calendar date, never converted
 * between zones (the same rule as shared/platform/dates.ts: converting would move late-evening doses).
 */
import { isRealDate } from '#platform/dates.ts';

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;
/** DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ] */
const DTM =
  /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;

/** `2021-03-10` → `20210310`, `2021-06` → `202106`. Throws on anything else: a dose date is ISO by contract. */
export function toHl7Date(iso: string): string {
  if (ISO_DAY.test(iso) || ISO_MONTH.test(iso)) return iso.replaceAll('-', '');
  throw new RangeError(`Not an ISO date: "${iso}"`);
}

/**
 * The calendar date of a DTM (`20210310`, `20210310143000-0800`), ISO; month precision (`202106`) only when
 * `allowMonth` (an expiration date). Undefined for anything that is not a real date.
 */
export function fromHl7Date(dtm: string, options: { allowMonth?: boolean } = {}): string | undefined {
  const m = DTM.exec(dtm);
  if (!m) return undefined;
  const [, y, mo, d] = m;
  if (mo === undefined) return undefined;
  if (d === undefined) {
    const month = Number(mo);
    return options.allowMonth && month >= 1 && month <= 12 ? `${y}-${mo}` : undefined;
  }
  return isRealDate(Number(y), Number(mo), Number(d)) ? `${y}-${mo}-${d}` : undefined;
}

// A formatter per zone, made once: building one costs more than formatting with it (one per message sent).
const timestampFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * `YYYYMMDDHHMMSS±ZZZZ` in the given zone (California by default: the registries and their users read local
 * time, and the offset keeps the instant unambiguous).
 */
export function toHl7Timestamp(at: Date, timeZone = 'America/Los_Angeles'): string {
  let format = timestampFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    timestampFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // longOffset is "GMT-07:00", or just "GMT" at offset zero.
  const offset = /GMT([+-]\d{2}):(\d{2})/.exec(part('timeZoneName'));
  const zone = offset ? `${offset[1]}${offset[2]}` : '+0000';
  return `${part('year')}${part('month')}${part('day')}${part('hour')}${part('minute')}${part('second')}${zone}`;
}

/**
 * The instant of a DTM. HL7 says a DTM without offset is in the sender's local time, which a receiver cannot
 * know, so it is read as UTC; callers needing the instant should require the offset.
 */
export function fromHl7Timestamp(dtm: string): Date | undefined {
  const m = DTM.exec(dtm);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', frac = '', zone] = m;
  if (!isRealDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return undefined;
  }
  const ms = frac === '' ? 0 : Math.round(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number(y) < 100) t = new Date(t).setUTCFullYear(Number(y));
  if (zone) {
    const sign = zone[0] === '-' ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  return new Date(t);
}
