import '../charts.css';
import type { CountyShape } from '../charts.ts';
import { h, notice, table } from '../dom.ts';
import type { Page } from './page.ts';
import { latestReport } from './site-day.ts';

interface Figure {
  scope: string;
  key: string;
  people_first_dose: number | string;
  people_completed: number | string;
  coverage: { population: number; first: number | null; complete: number | null } | string;
  flagged?: boolean;
}
interface Coverage {
  state: Figure;
  counties: Figure[];
  groups: Figure[];
}
interface Uptake {
  counties: { county: string; doses: number }[];
}

const num = (v: number | string | undefined) =>
  typeof v === 'number' ? v.toLocaleString('en-US') : (v ?? '—');
const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '—');
const firstCoverage = (f: Figure | undefined) =>
  f && typeof f.coverage === 'object' ? f.coverage.first : null;
const GROUP_NAMES: Record<string, string> = { age: 'Age', race: 'Race', ethnicity: 'Ethnicity', sex: 'Sex' };

/**
 * Program staff: uptake and coverage on a map of California's counties and by group (docs/analytics.md). The
 * map is a picture of the county table below it, which carries every number; values the public tables suppress
 * (`<11`, `*`) are shown as such, never as numbers.
 */
export const statewideMap: Page = {
  title: 'Counties and groups',
  roles: ['program', 'admin'],
  nav: 'Counties and groups',
  blurb: 'doses and coverage on a map of the counties, and coverage by age, race, ethnicity and sex.',
  async render(main, { query, navigate }) {
    const measure = query.get('measure') === 'coverage' ? 'coverage' : 'doses';
    main.append(h('h1', { tabindex: -1 }, 'Counties and groups'));
    const [uptake, coverage, shapes] = await Promise.all([
      latestReport<Uptake>((d) => `/v1/reports/uptake?date=${d}&view=sites`),
      latestReport<Coverage>((d) => `/v1/reports/coverage?date=${d}`),
      fetch('/ca-counties.json').then((r) => r.json() as Promise<{ features: CountyShape[] }>),
    ]);
    if (!uptake.res.ok || !coverage.res.ok) {
      const r = !uptake.res.ok ? uptake.res : coverage.res;
      main.append(
        !r.ok && r.status === 404
          ? notice('info', 'The figures have not been made yet: they are made nightly, after the day ends.')
          : notice(
              'danger',
              (!r.ok && (r.issues[0]?.message ?? r.message)) || 'The figures could not be read.',
            ),
      );
      return;
    }
    const doses = new Map(uptake.res.body.counties.map((c) => [c.county, c.doses]));
    const byCounty = new Map(coverage.res.body.counties.map((f) => [f.key, f]));
    const values = new Map<string, number>();
    for (const f of shapes.features) {
      const v = measure === 'doses' ? doses.get(f.id) : firstCoverage(byCounty.get(f.id));
      if (typeof v === 'number') values.set(f.id, v);
    }
    const { countyMap, bars } = await import('../charts.ts');
    const label = measure === 'doses' ? 'Doses given' : 'Coverage, at least one dose';
    const chosen = h(
      'select',
      {
        id: 'map-measure',
        class: 'form-select',
        onchange: (e: Event) => navigate(`/statewide/map?measure=${(e.target as HTMLSelectElement).value}`),
      },
      h('option', { value: 'doses', selected: measure === 'doses' }, 'Doses given'),
      h('option', { value: 'coverage', selected: measure === 'coverage' }, 'Coverage (at least one dose)'),
    );
    const map = countyMap(shapes.features, values, label);
    map.setAttribute('role', 'img');
    map.setAttribute(
      'aria-label',
      `Map of California's counties shaded by ${label.toLowerCase()}, as of ${uptake.day}; the table below gives each county's figures.`,
    );
    const names = new Map(shapes.features.map((f) => [f.id, f.properties.name]));
    const rows = shapes.features
      .map((f) => f.id)
      .sort(
        (a, b) => (doses.get(b) ?? 0) - (doses.get(a) ?? 0) || names.get(a)!.localeCompare(names.get(b)!),
      );
    main.append(
      h(
        'p',
        {},
        `As of ${uptake.day}. Counties are where the site is for doses, where the person lives for coverage.`,
      ),
      h(
        'div',
        { class: 'findings-filter' },
        h(
          'div',
          {},
          h('label', { for: 'map-measure', class: 'form-label' }, 'Shade the counties by'),
          chosen,
        ),
      ),
      h('figure', { class: 'dp-chart-figure' }, map),
      table(
        `Doses and coverage by county, as of ${uptake.day}`,
        [
          'County',
          'FIPS',
          'Doses given',
          'People with at least one dose',
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
            pct(firstCoverage(f)),
            f?.flagged ? 'below the bar' : '',
          ];
        }),
      ),
    );
    const groups = coverage.res.body.groups;
    main.append(h('h2', {}, 'Coverage by group'));
    const withDenominator = groups.some((g) => firstCoverage(g) !== null);
    for (const dim of Object.keys(GROUP_NAMES)) {
      const mine = groups.filter((g) => g.key.startsWith(`${dim}:`));
      if (!mine.length) continue;
      const label = (g: Figure) => g.key.slice(dim.length + 1);
      main.append(
        h('h3', {}, GROUP_NAMES[dim]!),
        h(
          'figure',
          {
            class: 'dp-chart-figure',
            role: 'img',
            'aria-label': `${GROUP_NAMES[dim]}: ${withDenominator ? 'coverage' : 'people with at least one dose'} by group; the table below gives the figures.`,
          },
          bars(
            mine.map((g) => ({
              label: label(g),
              value: withDenominator
                ? (firstCoverage(g) ?? 0)
                : typeof g.people_first_dose === 'number'
                  ? g.people_first_dose
                  : 0,
              flagged: g.flagged === true,
            })),
            withDenominator ? 'Coverage, at least one dose (%)' : 'People with at least one dose',
            withDenominator,
          ),
        ),
        table(
          `${GROUP_NAMES[dim]}: people vaccinated and coverage`,
          ['Group', 'At least one dose', 'Completed', 'Coverage (at least one dose)', 'Flagged'],
          mine.map((g) => [
            label(g),
            num(g.people_first_dose),
            num(g.people_completed),
            pct(firstCoverage(g)),
            g.flagged ? 'below the bar' : '',
          ]),
        ),
      );
    }
    if (!withDenominator)
      main.append(
        notice(
          'info',
          'No population denominators are loaded: coverage cannot be computed (PUT /v1/denominators).',
        ),
      );
  },
};
