import { h, notice, table } from '../dom.ts';
import type { Page } from './page.ts';
import { latestReport } from './site-day.ts';
import { SCORE_HEAD, type Scorecard, scorecardRows } from './statewide.ts';

interface SiteTimeliness {
  timeliness: { weekly: Scorecard[]; all_time: Scorecard | null };
}

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
    const cards = [
      ...(t.all_time ? [t.all_time] : []),
      ...[...t.weekly].sort((a, b) => b.week.localeCompare(a.week)),
    ];
    main.append(
      h(
        'p',
        {},
        `As of ${day}. Delays run from the end of the day a dose was given (California time) to when it reached the pipeline.`,
      ),
      cards.length
        ? table(`Your site's reporting timeliness, as of ${day}`, SCORE_HEAD, scorecardRows(cards))
        : h('p', {}, 'No dose has been reported yet.'),
    );
  },
};
