import './site-pages.css';
import { WASTAGE_REASONS } from '../../../stock/reasons.ts';
import { apiSend, type Issue } from '../api.ts';
import { h, notice, table } from '../dom.ts';
import { showFindings } from '../field-findings.ts';
import { sitesOf } from '../session.ts';
import { californiaToday } from '../today.ts';
import type { Page } from './page.ts';
import { latestReport } from './site-day.ts';

interface StockRow {
  ndc: string;
  lot_number: string;
  on_hand_start: number;
  received: number;
  transferred_out: number;
  administered: number;
  wasted: number;
  expired_spoiled: number;
  on_hand: number;
}
interface ExpiringRow {
  ndc: string;
  lot_number: string;
  expiration: string;
  days_left: number;
  status: string;
  on_hand: number;
}

/**
 * Site staff: stock on hand by lot from the nightly roll-up, lots expiring soon, and (read-write sign-ins) a
 * receipt or a loss recorded. Each form carries a record_id made when it is drawn, so a second click sends the
 * same record and the API answers it as a duplicate, never counting twice.
 */
export const siteStock: Page = {
  title: 'Stock',
  roles: ['site'],
  nav: 'Stock',
  blurb: 'doses on hand by lot, lots expiring soon; record a receipt or wastage.',
  async render(main, { session }) {
    const site = sitesOf(session!.claims)[0]!;
    main.append(h('h1', { tabindex: -1 }, 'Stock'));
    const [stock, expiring] = await Promise.all([
      latestReport<{ rows: StockRow[] }>((d) => `/v1/reports/wastage?date=${d}`),
      latestReport<{ rows: ExpiringRow[] }>((d) => `/v1/reports/expiring?date=${d}`),
    ]);
    if (!stock.res.ok)
      main.append(
        stock.res.status === 404
          ? notice(
              'info',
              'The stock figures have not been made yet: the roll-up runs nightly, after the day ends.',
            )
          : notice('danger', stock.res.issues[0]?.message ?? stock.res.message),
      );
    else {
      const soon = new Map(
        (expiring.res.ok ? expiring.res.body.rows : []).map((r) => [`${r.ndc} ${r.lot_number}`, r]),
      );
      const rows = stock.res.body.rows;
      main.append(
        h('h2', {}, `On hand at ${site}`),
        h(
          'p',
          {},
          `As of ${stock.day}: the nightly roll-up's figures, so anything recorded since shows after the next one.`,
        ),
        rows.length
          ? table(
              `Doses by lot as of the end of ${stock.day} (the nightly roll-up)`,
              [
                'Lot',
                'Product (NDC)',
                'Start',
                'Received',
                'Sent out',
                'Given',
                'Wasted',
                'Expired or spoiled',
                'On hand',
                'Expires',
              ],
              rows.map((r) => {
                const e = soon.get(`${r.ndc} ${r.lot_number}`);
                return [
                  r.lot_number,
                  // An NDC broken at its hyphens reads as two codes.
                  h('span', { class: 'site-nowrap' }, r.ndc),
                  r.on_hand_start,
                  r.received,
                  r.transferred_out,
                  r.administered,
                  r.wasted,
                  r.expired_spoiled,
                  r.on_hand,
                  // The words carry the warning; the colour only repeats it.
                  e
                    ? h(
                        'span',
                        { class: e.status === 'expired' ? 'lot-expired' : 'lot-expiring' },
                        e.status === 'expired'
                          ? `expired ${e.expiration}`
                          : `${e.expiration} (${e.days_left} days)`,
                      )
                    : '—',
                ];
              }),
            )
          : h('p', {}, 'No stock recorded yet.'),
      );
    }
    if (session!.claims.dp_access === 'read') {
      main.append(notice('info', 'Your sign-in is read-only: it cannot record receipts or wastage.'));
      return;
    }
    main.append(
      recordForm('receipt', 'Record a receipt', '/v1/inventory/receipts', [], site),
      recordForm('wastage', 'Record wastage', '/v1/wastage', ['reason'], site),
    );
  },
};

type Kind = 'receipt' | 'wastage';

/** The reasons' labels as a person reads them: the API's label for "other" names its JSON field. */
const reasonLabel = (code: string, label: string) =>
  code === 'other' ? 'Other (say what happened below)' : label;

/**
 * A labelled text box; its hint stays in `aria-describedby` (and `data-hint-id`, which the findings helper
 * restores after clearing its marks). Text boxes, not number or date inputs: a wrong value reaches the API as
 * typed, and its finding says what was wrong with it.
 */
function field(kind: Kind, name: string, label: string, hint?: string, attrs: Record<string, string> = {}) {
  const id = `${kind}-${name}`;
  const hintId = `${id}-hint`;
  return h(
    'div',
    { class: 'mb-3' },
    h('label', { for: id, class: 'form-label' }, label),
    hint ? h('p', { id: hintId, class: 'form-text site-hint' }, hint) : null,
    h('input', {
      id,
      name,
      class: 'form-control',
      type: 'text',
      autocomplete: 'off',
      'aria-describedby': hint ? hintId : undefined,
      'data-hint-id': hint ? hintId : undefined,
      ...attrs,
    }),
  );
}

/** A record ID as the API takes it (1–64 of letters, digits, `.:_-`), telling where the record came from. */
const newRecordId = () => `console-${crypto.randomUUID()}`;

function recordForm(kind: Kind, title: string, path: string, extra: 'reason'[], site: string): HTMLElement {
  // Kept until the API records it: a second click, or a retry after a lost answer, sends the same record.
  let recordId = newRecordId();
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'site-form', novalidate: true, 'aria-labelledby': `${kind}-heading` },
    h('h2', { id: `${kind}-heading` }, title),
    field(kind, 'ndc', 'Product (NDC)', 'As on the vial or carton, e.g. 80777-0273-10.'),
    field(kind, 'lot_number', 'Lot number'),
    field(kind, 'doses', 'Doses', undefined, { inputmode: 'numeric' }),
    field(
      kind,
      'date',
      'Date',
      kind === 'receipt' ? 'The day received, YYYY-MM-DD.' : 'The day the doses were lost, YYYY-MM-DD.',
      { value: californiaToday() },
    ),
    ...(extra.includes('reason')
      ? [
          h(
            'div',
            { class: 'mb-3' },
            h('label', { for: `${kind}-reason`, class: 'form-label' }, 'Reason'),
            h(
              'select',
              { id: `${kind}-reason`, name: 'reason', class: 'form-select' },
              h('option', { value: '' }, 'Choose why the doses were lost'),
              ...Object.entries(WASTAGE_REASONS).map(([code, r]) =>
                h('option', { value: code }, reasonLabel(code, r.label)),
              ),
            ),
          ),
          field(kind, 'reason_text', 'What happened', 'Needed when the reason is “Other”.', {
            maxlength: '200',
          }),
        ]
      : []),
    h('button', { type: 'submit', class: 'btn btn-primary' }, title),
  );
  const summary = h('div', {});
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = form.querySelector('button')!;
    if (button.disabled) return;
    button.disabled = true;
    try {
      const value = (n: string) =>
        (form.elements.namedItem(n) as HTMLInputElement | null)?.value.trim() ?? '';
      const body: Record<string, unknown> = {
        record_id: recordId,
        ndc: value('ndc'),
        lot_number: value('lot_number'),
        date: value('date'),
      };
      const doses = value('doses');
      body.doses = /^\d+$/.test(doses) ? Number(doses) : doses;
      if (kind === 'wastage') {
        body.reason = value('reason');
        if (value('reason_text')) body.reason_text = value('reason_text');
      }
      const res = await apiSend<{ results: { record_id: string; status: string; issues: Issue[] }[] }>(
        'POST',
        `${path}?iis_id=${encodeURIComponent(site)}`,
        body,
      );
      const result = res.ok ? res.body.results[0] : undefined;
      if (result && result.status !== 'rejected') {
        showFindings(form, [], '');
        summary.replaceChildren();
        const reason = WASTAGE_REASONS[body.reason as keyof typeof WASTAGE_REASONS];
        const what =
          kind === 'receipt' ? 'received' : `lost (${reasonLabel(String(body.reason), reason?.label ?? '')})`;
        const done = notice(
          'success',
          `${result.status === 'duplicate' ? 'Already recorded' : 'Recorded'}: ${body.doses} doses of lot ${body.lot_number} ${what} on ${body.date}. On-hand figures update after the nightly roll-up.`,
        );
        // Warnings do not stop a record (e.g. STK006: more doses than on hand); the form is cleared, so they are
        // listed with the notice rather than beside fields.
        if (result.issues.length)
          done.append(
            h(
              'ul',
              { class: 'site-warnings' },
              ...result.issues.map((i) =>
                h('li', {}, `${i.code} (${i.severity ?? 'warning'}): ${i.message}`),
              ),
            ),
          );
        out.replaceChildren(done);
        form.reset();
        (form.elements.namedItem('date') as HTMLInputElement).value = californiaToday();
        recordId = newRecordId();
      } else {
        out.replaceChildren();
        const issues = res.ok ? (result?.issues ?? []) : res.issues;
        const s = showFindings(form, issues, `The ${kind} was not recorded: fix the fields marked.`);
        summary.replaceChildren(s ?? notice('danger', res.ok ? 'Not recorded.' : res.message));
        summary.querySelector<HTMLElement>('[role=alert]')?.focus();
      }
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'record-form' }, summary, form, out);
}
