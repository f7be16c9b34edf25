import './site-pages.css';
import { h, notice, table } from '../dom.ts';
import type { Page } from './page.ts';
import { latestReport } from './site-day.ts';

interface FollowUp {
  rows: {
    status: 'due' | 'overdue';
    next_dose: number;
    due: string;
    overdue_after: string;
    cvx: string;
    recip_id: string;
    first_name: string;
    last_name: string;
    dob: string;
    earlier_doses: string;
  }[];
}

/** A date kept on one line: a column of dates broken at their hyphens is hard to scan. */
const day1 = (d: string) => h('span', { class: 'site-nowrap' }, d);

/**
 * Site staff: their people due or overdue for the next dose (reminder/recall), overdue first. Patient data: shown,
 * never stored; the URL carries only the filter.
 */
export const siteFollowUp: Page = {
  title: 'Follow-up',
  roles: ['site'],
  nav: 'Follow-up',
  blurb: 'people due or overdue for their next dose.',
  async render(main, { query, navigate }) {
    const status =
      query.get('status') === 'due' || query.get('status') === 'overdue' ? query.get('status')! : '';
    main.append(
      h('h1', { tabindex: -1 }, 'People due for their next dose'),
      // Applied by a button, not on change: a keyboard user moving through the options is not sent to a new page
      // at each one (WCAG 3.2.2).
      h(
        'form',
        {
          class: 'site-filter',
          'aria-label': 'Filter',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const v = (e.target as HTMLFormElement).querySelector('select')!.value;
            navigate(v ? `/follow-up?status=${v}` : '/follow-up');
          },
        },
        h('label', { for: 'follow-status', class: 'form-label' }, 'Show'),
        h(
          'div',
          { class: 'lookup-row' },
          h(
            'select',
            { id: 'follow-status', name: 'status', class: 'form-select' },
            h('option', { value: '', selected: status === '' }, 'Due and overdue'),
            h('option', { value: 'overdue', selected: status === 'overdue' }, 'Overdue only'),
            h('option', { value: 'due', selected: status === 'due' }, 'Due only'),
          ),
          h('button', { type: 'submit', class: 'btn btn-primary' }, 'Show'),
        ),
      ),
    );
    const { day, res } = await latestReport<FollowUp>(
      (d) => `/v1/reports/follow-up?date=${d}${status ? `&status=${status}` : ''}`,
    );
    if (!res.ok) {
      main.append(
        res.status === 404
          ? notice('info', 'The follow-up list has not been made yet: it is made nightly.')
          : notice('danger', res.issues[0]?.message ?? res.message),
      );
      return;
    }
    const rows = [...res.body.rows].sort((a, b) =>
      a.status === b.status ? a.due.localeCompare(b.due) : a.status === 'overdue' ? -1 : 1,
    );
    main.append(
      rows.length
        ? table(
            `${rows.length} ${rows.length === 1 ? 'person' : 'people'} to follow up, as of ${day}, overdue first`,
            [
              'Name',
              'Date of birth',
              'Your patient ID',
              'Status',
              'Next dose',
              'Due',
              'Overdue after',
              'Earlier doses',
            ],
            rows.map((r) => [
              `${r.last_name}, ${r.first_name}`,
              day1(r.dob),
              r.recip_id,
              h('span', { class: `status status-${r.status}` }, r.status),
              `${r.next_dose} (CVX ${r.cvx})`,
              day1(r.due),
              day1(r.overdue_after),
              r.earlier_doses,
            ]),
          )
        : h('p', {}, `Nobody is ${status || 'due or overdue'} as of ${day}.`),
    );
  },
};
