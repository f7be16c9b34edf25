import { apiGet } from '../api.ts';
import { facts, h, notice } from '../dom.ts';
import type { Page } from './page.ts';

interface DoseView {
  vax_event_id: string;
  iis_id: string;
  version: number;
  deleted: boolean;
  stored_at: string;
  dose: Record<string, unknown>;
  issues: { code: string; severity: string; field?: string; message: string }[];
  reports: {
    registry: {
      registry: string;
      status: string;
      sent_as?: string;
      answered_at?: string;
      issues?: { code?: string; message: string }[];
    };
    cdc: { status: string };
  };
}

const text = (v: unknown) => (v === undefined || v === null || v === '' ? '—' : String(v));

/** Site staff: one dose by its vax_event_id, with where its registry and CDC reports stand. */
export const dose: Page = {
  title: 'Look up a dose',
  roles: ['site'],
  nav: 'Look up a dose',
  blurb: 'its registry and CDC status.',
  async render(main, { query, navigate }) {
    const id = query.get('id')?.trim() ?? '';
    const input = h('input', {
      id: 'vax-event-id',
      name: 'id',
      class: 'form-control',
      type: 'text',
      required: true,
      maxlength: 199,
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'vax-event-id-hint',
      value: id,
    });
    const form = h(
      'form',
      {
        class: 'lookup',
        role: 'search',
        'aria-label': 'Dose',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const v = input.value.trim();
          if (v) navigate(`/dose?id=${encodeURIComponent(v)}`);
        },
      },
      h('label', { for: 'vax-event-id', class: 'form-label' }, 'Vaccination event ID'),
      h(
        'p',
        { id: 'vax-event-id-hint', class: 'form-text' },
        'The vax_event_id your site gave the dose when it reported it.',
      ),
      h(
        'div',
        { class: 'lookup-row' },
        input,
        h('button', { type: 'submit', class: 'btn btn-primary' }, 'Look up'),
      ),
    );
    main.append(h('h1', { tabindex: -1 }, 'Look up a dose'), form);
    if (!id) return;

    const res = await apiGet<DoseView>(`/v1/doses/${encodeURIComponent(id)}`);
    const out = h('section', { 'aria-labelledby': 'result-heading', class: 'result' });
    main.append(out);
    if (!res.ok) {
      out.append(
        h('h2', { id: 'result-heading' }, `Dose ${id}`),
        res.status === 404
          ? notice('warning', `No dose ${id} was found for your site.`)
          : notice('danger', res.issues[0]?.message ?? res.message),
      );
      return;
    }
    const d = res.body;
    const reg = d.reports.registry;
    out.append(
      h('h2', { id: 'result-heading' }, `Dose ${d.vax_event_id}`),
      d.deleted ? notice('info', 'This dose was deleted (its last version is a delete).') : '',
      facts([
        ['Site', d.iis_id],
        ['Vaccine (CVX)', text(d.dose.cvx)],
        ['Given on', text(d.dose.admin_date)],
        ['Lot', text(d.dose.lot_number)],
        ['Version', `${d.version}, stored ${new Date(d.stored_at).toLocaleString('en-US')}`],
      ]),
      h('h3', {}, 'Reports'),
      facts([
        [`Registry (${reg.registry})`, h('span', { class: `status status-${reg.status}` }, reg.status)],
        ['CDC', h('span', { class: `status status-${d.reports.cdc.status}` }, d.reports.cdc.status)],
        ...(reg.answered_at
          ? ([['Registry answered', new Date(reg.answered_at).toLocaleString('en-US')]] as [string, string][])
          : []),
      ]),
      reg.issues?.length
        ? h(
            'div',
            {},
            h('h3', {}, 'What the registry said'),
            h(
              'ul',
              {},
              ...reg.issues.map((i) => h('li', {}, i.code ? `${i.code}: ${i.message}` : i.message)),
            ),
          )
        : '',
      d.issues.length
        ? h(
            'div',
            {},
            h('h3', {}, 'Findings at intake'),
            h('ul', {}, ...d.issues.map((i) => h('li', {}, `${i.code} (${i.severity}): ${i.message}`))),
          )
        : '',
    );
  },
};
