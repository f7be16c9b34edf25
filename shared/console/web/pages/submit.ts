import './uploads.css';
import { apiGet, apiSend, type Issue } from '../api.ts';
import { h, notice } from '../dom.ts';
import { DOSE_FIELD_GROUPS, DOSE_FIELDS } from '../dose-form/fields.ts';
import { showFindings } from '../field-findings.ts';
import { sitesOf } from '../session.ts';
import { heldFile } from '../uploads/held-files.ts';
import { parseResults } from '../uploads/results-file.ts';
import type { Page } from './page.ts';

interface DoseResult {
  vax_event_id: string;
  status: 'accepted' | 'rejected' | 'duplicate';
  issues: Issue[];
}

/**
 * Site staff: report one dose in a form, or fix a row an upload rejected (`?upload=&row=`): the row's findings
 * beside its fields, its values when this tab sent the file; the API's findings beside the fields after each
 * send, until it is accepted.
 */
export const submit: Page = {
  title: 'Submit a dose',
  roles: ['site'],
  nav: 'Submit a dose',
  blurb: 'report one dose, or fix a row an upload rejected and send it again.',
  async render(main, { session, query }) {
    main.append(h('h1', { tabindex: -1 }, 'Submit a dose'));
    if (session!.claims.dp_access === 'read') {
      main.append(notice('info', 'Your sign-in is read-only: it cannot submit doses.'));
      return;
    }
    const sites = sitesOf(session!.claims);
    const uploadId = query.get('upload');
    const row = query.get('row');
    const fromRow = uploadId && row ? await rejectedRow(uploadId, row) : undefined;
    const site = fromRow?.iisId && sites.includes(fromRow.iisId) ? fromRow.iisId : sites[0]!;

    const status = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'dose-form', novalidate: true, 'aria-labelledby': 'dose-form-heading' });
    form.append(h('h2', { id: 'dose-form-heading' }, fromRow ? `Row ${row} of ${fromRow.name}` : 'The dose'));
    if (sites.length > 1)
      form.append(
        h(
          'div',
          { class: 'mb-3' },
          h('label', { for: 'f-iis_id', class: 'form-label' }, 'Site that gave the dose'),
          h(
            'select',
            { id: 'f-iis_id', name: 'iis_id', class: 'form-select' },
            ...sites.map((s) => h('option', { value: s, selected: s === site }, s)),
          ),
        ),
      );
    for (const group of DOSE_FIELD_GROUPS)
      form.append(
        h(
          'fieldset',
          { class: 'dose-fieldset' },
          h('legend', {}, group.legend),
          ...group.fields.map((f) =>
            h(
              'div',
              { class: 'mb-3' },
              h(
                'label',
                { for: `f-${f.name}`, class: 'form-label' },
                f.label,
                h('span', { class: 'field-name' }, ` (${f.name})`),
              ),
              f.hint ? h('p', { id: `h-${f.name}`, class: 'form-text' }, f.hint) : '',
              h('input', {
                id: `f-${f.name}`,
                name: f.name,
                type: 'text',
                class: 'form-control',
                autocomplete: 'off',
                spellcheck: 'false',
                value: fromRow?.values?.[f.name] ?? '',
                'aria-describedby': f.hint ? `h-${f.name}` : undefined,
                'data-hint-id': f.hint ? `h-${f.name}` : undefined,
              }),
            ),
          ),
        ),
      );
    const button = h(
      'button',
      { type: 'submit', class: 'btn btn-primary' },
      fromRow ? 'Send the fixed dose' : 'Submit the dose',
    );
    form.append(button);
    const summaryHolder = h('div', {});
    main.append(summaryHolder, status);
    if (fromRow) {
      main.append(
        fromRow.values
          ? notice(
              'info',
              `The values of row ${row} as your file had them. Fix the fields marked and send the dose.`,
            )
          : notice(
              'info',
              `This browser tab no longer has the file: enter row ${row}'s dose; the findings show what was wrong.`,
            ),
      );
    }
    main.append(form);
    if (fromRow) {
      const summary = showFindings(form, fromRow.findings, `Row ${row} was rejected for these reasons:`);
      if (summary) summaryHolder.replaceChildren(summary);
    }

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      status.replaceChildren(h('p', {}, 'Sending…'));
      try {
        const dose: Record<string, string> = {};
        for (const name of DOSE_FIELDS) {
          const v = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
          if (v) dose[name] = v;
        }
        const chosen = (form.elements.namedItem('iis_id') as HTMLSelectElement | null)?.value ?? site;
        const res = await apiSend<{ results: DoseResult[] }>(
          'POST',
          `/v1/doses?iis_id=${encodeURIComponent(chosen)}`,
          dose,
        );
        const result = res.ok ? res.body.results[0] : undefined;
        const issues = res.ok ? (result?.issues ?? []) : res.issues;
        if (result && result.status !== 'rejected') {
          showFindings(form, [], '');
          summaryHolder.replaceChildren();
          const warnings = issues.filter((i) => i.severity === 'warning');
          status.replaceChildren(
            notice(
              'success',
              result.status === 'duplicate'
                ? `Dose ${result.vax_event_id} was already received: nothing changed.`
                : `Dose ${result.vax_event_id} was accepted and will be reported to the registry and CDC.`,
              warnings.length
                ? ` With ${warnings.length} warning${warnings.length > 1 ? 's' : ''}: ${warnings.map((w) => w.code).join(', ')}.`
                : '',
              ' ',
              h('a', { href: `/dose?id=${encodeURIComponent(result.vax_event_id)}` }, 'Follow it'),
              '.',
            ),
          );
        } else {
          status.replaceChildren();
          const summary = showFindings(
            form,
            issues,
            res.ok ? 'The dose was rejected: fix the fields marked.' : res.message,
          );
          summaryHolder.replaceChildren(
            summary ?? notice('danger', res.ok ? 'The dose was rejected.' : res.message),
          );
          summaryHolder.querySelector<HTMLElement>('[role=alert]')?.focus();
        }
      } finally {
        button.disabled = false;
      }
    });
  },
};

/** A rejected row of an upload: its findings from the results file, its values if this tab sent the file. */
async function rejectedRow(uploadId: string, row: string) {
  const res = await apiGet<{ name: string; iis_id: string; results_url: string | null }>(
    `/v1/uploads/${encodeURIComponent(uploadId)}`,
  );
  if (!res.ok || !res.body.results_url) return undefined;
  const text = await (await fetch(res.body.results_url, { cache: 'no-store' })).text();
  const result = (await parseResults(text)).find((r) => r.row === row);
  const file = heldFile(uploadId);
  return {
    name: res.body.name,
    iisId: res.body.iis_id,
    findings: result?.findings ?? [],
    values: file ? await rowValues(file, Number(row)) : undefined,
  };
}

/** The values of spreadsheet row `row` (the header is row 1) of a CSV or tab-separated file, by column name. */
async function rowValues(file: File, row: number): Promise<Record<string, string> | undefined> {
  const text = await file.text();
  if (/^MSH|^FHS|^BHS/.test(text)) return undefined;
  const { parse } = await import('csv-parse/browser/esm/sync');
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const records = parse(text, {
    delimiter: firstLine.includes('\t') ? '\t' : ',',
    relax_column_count: true,
    bom: true,
    to_line: row,
  }) as string[][];
  const [header, ...rows] = records;
  const values = rows[row - 2];
  if (!header || !values) return undefined;
  return Object.fromEntries(header.map((name, i) => [name.trim().toLowerCase(), values[i] ?? '']));
}
