import { apiGet } from '../api.ts';
import { h, notice, table } from '../dom.ts';
import type { Scorecard } from '../scorecard.ts';
import type { Page } from './page.ts';
import { askedDay, countyLabel, countyShapes, dayPicker, notMade, reportFor } from './statewide-day.ts';

interface Timeliness {
  weeks: string[];
  weekly: Scorecard[];
  all_time: Scorecard[];
}

interface Uptake {
  sites: { iis_id: string; county: string; doses: number }[];
  counties: { county: string; doses: number }[];
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null) => (v === null ? '—' : v.toLocaleString('en-US'));

export function scorecardRows(cards: Scorecard[]) {
  return cards.map((c) => [
    c.week === 'all' ? 'All time' : c.week,
    num(c.submitted),
    num(c.accepted),
    pct(c.rejection_rate),
    pct(c.within_24h),
    pct(c.within_72h),
    c.median_delay_hours === null ? '—' : `${c.median_delay_hours.toFixed(1)}\u00a0h`,
    pct(c.registry_acceptance_rate),
    pct(c.cdc_refused_share),
  ]);
}

export const SCORE_HEAD = [
  'Week',
  'Submitted',
  'Accepted',
  'Rejected',
  'Within 24\u00a0h',
  'Within 72\u00a0h',
  'Median delay',
  'Registry accepted',
  'CDC refused',
];

/**
 * Program staff: the state's timeliness scorecard and doses by county, for a day of the nightly run (the latest
 * made unless `?date=` names one). The map, coverage by group and supply are the other statewide pages.
 */
export const statewide: Page = {
  title: 'Statewide',
  roles: ['program', 'admin'],
  nav: 'Statewide',
  blurb: 'the reporting timeliness scorecard and doses by county.',
  async render(main, { query, navigate }) {
    main.append(
      h('h1', { tabindex: -1 }, 'Statewide'),
      h(
        'p',
        {},
        'Figures made by the nightly run for a California day: how timely reports were, and doses given by county.',
      ),
    );
    const [{ day: date, res: timeliness }, names] = await Promise.all([
      reportFor<Timeliness>(askedDay(query), (d) => `/v1/reports/timeliness?date=${d}&by=state`),
      countyShapes().then(
        (c) => new Map(c.map((f) => [f.id, f.properties.name])),
        () => new Map<string, string>(),
      ),
    ]);
    const uptake = await apiGet<Uptake>(`/v1/reports/uptake?date=${date}&view=sites`);
    main.append(dayPicker('/statewide', date, navigate));
    const scorecard = h(
      'section',
      { 'aria-labelledby': 'scorecard-heading' },
      h('h2', { id: 'scorecard-heading' }, 'Timeliness scorecard: California'),
    );
    const counties = h(
      'section',
      { 'aria-labelledby': 'counties-heading' },
      h('h2', { id: 'counties-heading' }, 'Doses by county'),
    );
    main.append(scorecard, counties);
    if (notMade(timeliness) || notMade(uptake)) {
      main.insertBefore(
        notice(
          'info',
          `The figures for ${date} have not been made yet: they are made nightly, after the day ends.`,
        ),
        scorecard,
      );
      scorecard.append(h('p', {}, 'Not made yet.'));
      counties.append(h('p', {}, 'Not made yet.'));
      return;
    }
    if (!timeliness.ok)
      scorecard.append(notice('danger', timeliness.issues[0]?.message ?? timeliness.message));
    else {
      const cards = [
        ...timeliness.body.all_time.filter((c) => c.key === 'CA' || c.by === 'state'),
        ...timeliness.body.weekly
          .filter((c) => c.by === 'state')
          .sort((a, b) => b.week.localeCompare(a.week)),
      ];
      scorecard.append(
        cards.length
          ? table(`Reporting timeliness for the state, as of ${date}`, SCORE_HEAD, scorecardRows(cards))
          : h('p', {}, 'No dose has been reported yet.'),
      );
    }
    if (!uptake.ok) counties.append(notice('danger', uptake.issues[0]?.message ?? uptake.message));
    else {
      const rows = [...uptake.body.counties].sort((a, b) => b.doses - a.doses);
      const sites = (county: string) => uptake.body.sites.filter((s) => s.county === county).length;
      counties.append(
        rows.length
          ? table(
              `Doses given up to ${date}, by the county of the site`,
              ['County (FIPS)', 'Sites', 'Doses'],
              rows.map((c) => [countyLabel(names, c.county), num(sites(c.county)), num(c.doses)]),
            )
          : h('p', {}, 'No dose has been given yet.'),
        h(
          'p',
          {},
          'On a map with coverage, and by age, race, ethnicity and sex: ',
          h('a', { href: `/statewide/map?date=${date}` }, 'Counties and groups'),
          '.',
        ),
      );
    }
  },
};
