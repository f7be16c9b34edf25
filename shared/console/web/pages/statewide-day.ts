/**
 * The day the statewide pages show: `?date=` when given, else the latest California day the nightly run has
 * made (today's once it has run for today, else yesterday's); the day picker every statewide page carries; and
 * the counties' names (from the build's ca-counties.json, the map's shapes).
 */
import './statewide.css';
import { type ApiAnswer, apiGet } from '../api.ts';
import { h } from '../dom.ts';
import { latestReport } from './site-day.ts';
import type { CountyShape } from './statewide-charts.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The day asked for by `?date=`, when it is one. */
export function askedDay(query: URLSearchParams): string | undefined {
  const d = query.get('date') ?? '';
  return DAY.test(d) ? d : undefined;
}

/** A report for the day asked for, else for the latest day made; with the day answered. */
export async function reportFor<T>(
  asked: string | undefined,
  path: (day: string) => string,
): Promise<{ day: string; res: ApiAnswer<T> }> {
  return asked ? { day: asked, res: await apiGet<T>(path(asked)) } : latestReport<T>(path);
}

/** A 404 of a report: the night's run has not made that day (RPT002 analytics, RPT001 the stock roll-up). */
export const notMade = (res: ApiAnswer<unknown>) => !res.ok && res.status === 404;

/** The "Day of the figures" form: shows `path?date=<day>` (keeping `keep`'s parameters). */
export function dayPicker(
  path: string,
  day: string,
  navigate: (to: string) => void,
  keep: Record<string, string> = {},
): HTMLElement {
  const input = h('input', {
    id: 'report-date',
    name: 'date',
    type: 'date',
    class: 'form-control',
    value: day,
  });
  return h(
    'form',
    {
      class: 'lookup sw-day',
      'aria-label': 'Day',
      onsubmit: (e: Event) => {
        e.preventDefault();
        if (input.value) navigate(`${path}?${new URLSearchParams({ ...keep, date: input.value })}`);
      },
    },
    h('label', { for: 'report-date', class: 'form-label' }, 'Day of the figures'),
    h(
      'div',
      { class: 'lookup-row' },
      input,
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Show'),
    ),
  );
}

let shapes: Promise<CountyShape[]> | undefined;

/** California's 58 counties (FIPS, name, shape), read once per visit. */
export function countyShapes(): Promise<CountyShape[]> {
  shapes ??= fetch('/ca-counties.json')
    .then((r) => {
      if (!r.ok) throw new Error(`The county shapes could not be read (HTTP ${r.status}).`);
      return r.json() as Promise<{ features: CountyShape[] }>;
    })
    .then((c) => c.features)
    .catch((err: unknown) => {
      shapes = undefined;
      throw err;
    });
  return shapes;
}

/** A county's name with its FIPS code (`Alameda (06001)`); out-of-state and unknown as such. */
export function countyLabel(names: ReadonlyMap<string, string>, fips: string): string {
  if (fips === 'OUT_OF_STATE') return 'Out of state';
  if (fips === 'UNK' || fips === 'unknown') return 'Unknown county';
  const name = names.get(fips);
  return name ? `${name} (${fips})` : fips;
}
