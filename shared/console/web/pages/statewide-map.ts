import { type ApiAnswer, apiGet } from '../api.ts';
import { h, notice, table } from '../dom.ts';
import type { Page } from './page.ts';
import { askedDay, countyShapes, dayPicker, notMade, reportFor } from './statewide-day.ts';

interface Figure {
  scope: string;
  key: string;
  people_first_dose: number | string;
  people_completed: number | string;
  coverage: { population: number; first: number | null; complete: number | null } | string;
  flagged?: boolean;
}
interface Coverage {
  scope: 'exact' | 'public';
  state: Figure;
  counties: Figure[];
  groups: Figure[];
}
interface Uptake {
  counties: { county: string; doses: number }[];
}

/** A count as given: the public tables' suppressed values (`<11`, `*`) stay text, never a number. */
const num = (v: number | string | undefined) =>
  typeof v === 'number' ? v.toLocaleString('en-US') : (v ?? '—');
const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : '—');
const firstCoverage = (f: Figure | undefined) =>
  f && typeof f.coverage === 'object' ? f.coverage.first : null;
const population = (f: Figure | undefined) =>
  f && typeof f.coverage === 'object' ? f.coverage.population : undefined;
const GROUP_NAMES: Record<string, string> = { age: 'Age', race: 'Race', ethnicity: 'Ethnicity', sex: 'Sex' };
const FLAGGED = 'Flagged as under-vaccinated';
type Measure = 'doses' | 'coverage';
const MEASURES: Record<Measure, string> = {
  doses: 'Doses given',
  coverage: 'Coverage (at least one dose)',
};

function failure(r: ApiAnswer<unknown>, day: string): HTMLElement {
  return notMade(r)
    ? notice(
        'info',
        `The figures for ${day} have not been made yet: they are made nightly, after the day ends.`,
      )
    : notice('danger', (!r.ok && (r.issues[0]?.message ?? r.message)) || 'The figures could not be read.');
}

/** The key of a bar chart: which colour is a flagged group. */
const flagKey = () =>
  h(
    'ul',
    { class: 'sw-key' },
    h('li', {}, h('span', { class: 'sw-swatch sw-swatch-bar' }), 'Not flagged'),
    h('li', {}, h('span', { class: 'sw-swatch sw-swatch-flagged' }), FLAGGED),
  );

/**
 * Program staff: uptake and coverage on a map of California's counties and by group (docs/analytics.md). The
 * map is a picture of the county table below it, which carries every number. Program staff read the exact
 * figures; were the answer the public one, its suppressed values (`<11`, `*`) are shown as such, never as
 * numbers, and left off the map and the charts.
 */
export const statewideMap: Page = {
  title: 'Counties and groups',
  roles: ['program', 'admin'],
  nav: 'Counties and groups',
  blurb: 'doses and coverage on a map of the counties, and coverage by age, race, ethnicity and sex.',
  async render(main, { query, navigate }) {
    const measure: Measure = query.get('measure') === 'coverage' ? 'coverage' : 'doses';
    main.append(h('h1', { tabindex: -1 }, 'Counties and groups'));
    // Plot's module starts loading with the figures, not after them.
    const charts = import('./statewide-charts.ts');
    const [uptake, shapes] = await Promise.all([
      reportFor<Uptake>(askedDay(query), (d) => `/v1/reports/uptake?date=${d}&view=sites`),
      countyShapes(),
    ]);
    const day = uptake.day;
    const coverage = await apiGet<Coverage>(`/v1/reports/coverage?date=${day}`);
    main.append(dayPicker('/statewide/map', day, navigate, { measure }));
    if (!uptake.res.ok || !coverage.ok) {
      main.append(failure(!uptake.res.ok ? uptake.res : coverage, day));
      return;
    }
    const cov = coverage.body;
    const doses = new Map(uptake.res.body.counties.map((c) => [c.county, c.doses]));
    const byCounty = new Map(cov.counties.map((f) => [f.key, f]));
    const values = new Map<string, number>();
    for (const f of shapes) {
      const v = measure === 'doses' ? (doses.get(f.id) ?? 0) : firstCoverage(byCounty.get(f.id));
      if (typeof v === 'number') values.set(f.id, v);
    }
    const { countyMap, bars } = await charts;
    const label = MEASURES[measure];
    const drawn = countyMap(shapes, values, label, measure === 'coverage');
    const missing = shapes.length - values.size;
    const names = new Map(shapes.map((f) => [f.id, f.properties.name]));
    const rows = shapes
      .map((f) => f.id)
      .sort((a, b) =>
        measure === 'doses'
          ? (doses.get(b) ?? 0) - (doses.get(a) ?? 0) || names.get(a)!.localeCompare(names.get(b)!)
          : (values.get(b) ?? -1) - (values.get(a) ?? -1) || names.get(a)!.localeCompare(names.get(b)!),
      );
    const state = cov.state;
    main.append(
      h(
        'p',
        {},
        `As of ${day}. Doses are counted in the county of the site that gave them; coverage is people with at least one dose ÷ population, in the county where they live. California: ${num(state.people_first_dose)} people with at least one dose`,
        firstCoverage(state) === null ? '.' : `, ${pct(firstCoverage(state))} of ${num(population(state))}.`,
      ),
      h(
        'form',
        { class: 'lookup sw-day', 'aria-label': 'Measure' },
        h('label', { for: 'map-measure', class: 'form-label' }, 'Shade the counties by'),
        h(
          'select',
          {
            id: 'map-measure',
            name: 'measure',
            class: 'form-select',
            onchange: (e: Event) =>
              navigate(
                `/statewide/map?${new URLSearchParams({ measure: (e.target as HTMLSelectElement).value, date: day })}`,
              ),
          },
          ...(Object.keys(MEASURES) as Measure[]).map((m) =>
            h('option', { value: m, selected: m === measure }, MEASURES[m]),
          ),
        ),
      ),
      h(
        'figure',
        {
          class: 'sw-figure',
          role: 'img',
          'aria-label': `Map of California's counties shaded by ${label.toLowerCase()}, as of ${day}; the table “${label} by county” below gives each county's figures.`,
        },
        drawn.legend,
        missing > 0
          ? h(
              'ul',
              { class: 'sw-key' },
              h('li', {}, h('span', { class: 'sw-swatch sw-swatch-none' }), 'No population loaded'),
            )
          : null,
        drawn.map,
      ),
      table(
        `${label} by county, as of ${day}`,
        [
          'County',
          'FIPS',
          'Doses given',
          'People with at least one dose',
          'Population',
          'Coverage (at least one dose)',
          'Flagged',
        ],
        rows.map((id) => {
          const f = byCounty.get(id);
          return [
            names.get(id)!,
            id,
            num(doses.get(id) ?? 0),
            num(f?.people_first_dose ?? 0),
            num(population(f)),
            pct(firstCoverage(f)),
            f?.flagged ? 'Flagged' : '',
          ];
        }),
      ),
    );

    main.append(h('h2', {}, 'Coverage by group'));
    const groups = cov.groups;
    const withDenominator = groups.some((g) => firstCoverage(g) !== null);
    if (!withDenominator)
      main.append(
        notice(
          'info',
          'No population denominators are loaded: coverage cannot be computed, so the charts show people with at least one dose (PUT /v1/denominators).',
        ),
      );
    for (const dim of Object.keys(GROUP_NAMES)) {
      const mine = groups.filter((g) => g.key.startsWith(`${dim}:`));
      if (!mine.length) continue;
      const name = GROUP_NAMES[dim]!;
      const groupLabel = (g: Figure) => g.key.slice(dim.length + 1);
      const measured = withDenominator ? 'coverage (at least one dose)' : 'people with at least one dose';
      // A group without a figure (no population, or a suppressed count) is left off the chart, kept in the table.
      const charted = mine.flatMap((g) => {
        const value = withDenominator ? firstCoverage(g) : g.people_first_dose;
        return typeof value === 'number'
          ? [{ label: groupLabel(g), value, flagged: g.flagged === true }]
          : [];
      });
      main.append(
        h('h3', {}, name),
        h(
          'figure',
          {
            class: 'sw-figure',
            role: 'img',
            'aria-label': `${name}: ${measured} by group, as of ${day}; the table “${name}: people vaccinated and coverage” below gives the figures.`,
          },
          withDenominator ? flagKey() : null,
          bars(
            charted,
            withDenominator ? 'Coverage, at least one dose' : 'People with at least one dose',
            withDenominator ? 'percent' : 'whole',
          ),
        ),
        table(
          `${name}: people vaccinated and coverage, as of ${day}`,
          [
            'Group',
            'At least one dose',
            'Completed series',
            'Population',
            'Coverage (at least one dose)',
            'Flagged',
          ],
          mine.map((g) => [
            groupLabel(g),
            num(g.people_first_dose),
            num(g.people_completed),
            num(population(g)),
            pct(firstCoverage(g)),
            g.flagged ? 'Flagged' : '',
          ]),
        ),
      );
    }
  },
};
