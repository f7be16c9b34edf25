import './site-pages.css';
import { facts, h, notice, table } from '../dom.ts';
import type { Scorecard } from '../scorecard.ts';
import type { Page } from './page.ts';
import { latestReport } from './site-day.ts';

interface SiteTimeliness {
  timeliness: { weekly: Scorecard[]; all_time: Scorecard | null };
}

// A rate with nothing to divide by is null: shown as a dash, never as 0%.
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const count = (v: number) => v.toLocaleString('en-US');
const hours = (v: number | null) =>
  v === null
    ? '—'
    : `${v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}\u00a0h`;
const per100 = (v: number | null) => (v === null ? '—' : v.toFixed(1));
const codes = (c: Scorecard) =>
  c.top_codes.length ? c.top_codes.map((t) => `${t.code} (${count(t.count)})`).join(', ') : 'none';

const HEAD = [
  'Week',
  'Submitted',
  'Rejection rate',
  'Within 24\u00a0h',
  'Within 72\u00a0h',
  'Median delay',
  'Warnings per 100',
  'Top finding codes',
  'Registry accepted',
];

/** Site staff: how timely and clean their reports are, by ISO week and over all time (docs/analytics.md). */
export const siteScorecard: Page = {
  title: 'Scorecard',
  roles: ['site'],
  nav: 'Scorecard',
  blurb: 'how quickly and cleanly your site reports, week by week.',
  async render(main) {
    main.append(h('h1', { tabindex: -1 }, 'Reporting scorecard'));
    const { day, res } = await latestReport<SiteTimeliness>((d) => `/v1/reports/timeliness?date=${d}`);
    if (!res.ok) {
      main.append(
        res.issues.some((i) => i.code === 'RPT002')
          ? notice('info', 'The scorecard has not been made yet: it is made nightly, after the day ends.')
          : notice('danger', res.issues[0]?.message ?? res.message),
      );
      return;
    }
    const t = res.body.timeliness;
    const weeks = [...t.weekly].sort((a, b) => b.week.localeCompare(a.week));
    main.append(
      h(
        'p',
        {},
        `As of ${day}. Delays run from the end of the day a dose was given (California time) to when its report reached the pipeline; weeks are ISO weeks of the day it arrived.`,
      ),
    );
    if (!t.all_time && !weeks.length) {
      main.append(h('p', {}, 'No dose has been reported yet.'));
      return;
    }
    if (t.all_time) {
      const a = t.all_time;
      main.append(
        h('h2', {}, 'All time'),
        facts([
          ['Reports', `${count(a.submitted)} (${count(a.accepted)} accepted, ${count(a.rejected)} rejected)`],
          ['Rejection rate', pct(a.rejection_rate)],
          ['Within 24 hours', pct(a.within_24h)],
          ['Within 72 hours', pct(a.within_72h)],
          ['Median delay', hours(a.median_delay_hours)],
          ['Warnings per 100 accepted', per100(a.warnings_per_100)],
          ['Top finding codes', codes(a)],
          ['Accepted by the registry', pct(a.registry_acceptance_rate)],
          ['Refused by CDC', pct(a.cdc_refused_share)],
        ]),
      );
    }
    main.append(
      h('h2', {}, 'By week'),
      weeks.length
        ? table(
            `Your site's reporting by ISO week of receipt, newest first, as of ${day}`,
            HEAD,
            weeks.map((c) => [
              c.week,
              count(c.submitted),
              pct(c.rejection_rate),
              pct(c.within_24h),
              pct(c.within_72h),
              hours(c.median_delay_hours),
              per100(c.warnings_per_100),
              codes(c),
              pct(c.registry_acceptance_rate),
            ]),
          )
        : h('p', {}, 'No report in a week yet.'),
    );
  },
};
