import './uploads.css';
import { apiGet, type Issue } from '../api.ts';
import { facts, h, notice, table } from '../dom.ts';
import { parseResults, type ResultRow } from '../uploads/results-file.ts';
import type { Page } from './page.ts';

interface UploadView {
  upload_id: string;
  iis_id: string;
  name: string;
  status: 'received' | 'processing' | 'completed' | 'failed';
  created_at: string;
  updated_at: string;
  rows_total: number | null;
  rows_processed: number;
  duplicate_of: string | null;
  file_findings: Issue[];
  failures: { code: string; stage?: string; message?: string }[];
  summary: {
    rows: number;
    accepted: number;
    rejected: number;
    duplicates: number;
    warnings: number;
    by_code: Record<string, number>;
  } | null;
  results_url: string | null;
}

const POLL_MS = 1_000;
const done = (u: UploadView) => u.status === 'completed' || u.status === 'failed';
const num = (n: number) => n.toLocaleString('en-US');
const rowsWord = (n: number) => `${num(n)} row${n === 1 ? '' : 's'}`;

/**
 * One upload: its progress, followed until it finishes; then the summary, the results file and its findings,
 * filtered by code, each rejected row with a link to fix it in the dose form.
 */
export const upload: Page = {
  title: 'Upload',
  roles: ['site'],
  async render(main, { query }) {
    const id = query.get('id') ?? '';
    main.append(h('h1', { tabindex: -1 }, 'Upload'), h('p', {}, h('a', { href: '/uploads' }, 'All uploads')));
    const section = h('div', { class: 'upload-follow' });
    main.append(section);
    const first = await apiGet<UploadView>(`/v1/uploads/${encodeURIComponent(id)}`);
    if (!first.ok) {
      section.append(
        notice(first.status === 404 ? 'warning' : 'danger', first.issues[0]?.message ?? first.message),
      );
      return;
    }
    await draw(section, first.body);
    if (!done(first.body)) void follow(section, id);
  },
};

/** Asks again every second while the page is shown, until the upload is done. */
async function follow(section: HTMLElement, id: string): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (!section.isConnected) return;
    const res = await apiGet<UploadView>(`/v1/uploads/${encodeURIComponent(id)}`).catch(() => undefined);
    if (!res?.ok || !section.isConnected) return;
    await draw(section, res.body);
    if (done(res.body)) return;
  }
}

async function draw(section: HTMLElement, u: UploadView): Promise<void> {
  const pct = u.rows_total
    ? Math.min(100, Math.round((u.rows_processed / u.rows_total) * 100))
    : done(u)
      ? 100
      : 0;
  const parts: (Node | string)[] = [
    h('h2', {}, u.name),
    facts([
      ['Site', u.iis_id],
      ['Received', new Date(u.created_at).toLocaleString('en-US')],
      ['Status', h('span', { class: `status status-${u.status}`, id: 'upload-state' }, u.status)],
      [
        'Rows',
        u.rows_total === null ? num(u.rows_processed) : `${num(u.rows_processed)} of ${num(u.rows_total)}`,
      ],
    ]),
  ];
  if (!done(u))
    parts.push(
      h('progress', { max: 100, value: pct, 'aria-label': `Processing ${u.name}` }, `${pct}%`),
      h('p', { role: 'status' }, `Processing: ${pct}% of the rows. This page follows it.`),
    );
  if (u.duplicate_of)
    parts.push(
      notice(
        'info',
        'The same file was sent before: these are that upload’s results. ',
        h('a', { href: `/upload?id=${u.duplicate_of}` }, 'Open it'),
        '.',
      ),
    );
  if (u.file_findings.length)
    parts.push(
      notice(
        u.status === 'failed' ? 'danger' : 'warning',
        u.file_findings.map((f) => `${f.code}: ${f.message}`).join(' '),
      ),
    );
  if (u.status === 'failed' && u.failures.length)
    parts.push(
      notice(
        'danger',
        `Processing stopped: ${u.failures.map((f) => `${f.code}${f.message ? ` (${f.message})` : ''}`).join('; ')}. Send the file again.`,
      ),
    );
  if (u.summary)
    parts.push(
      h('h3', {}, 'Summary'),
      facts([
        ['Accepted', num(u.summary.accepted)],
        ['Rejected', num(u.summary.rejected)],
        ['Already received (duplicates)', num(u.summary.duplicates)],
        ['Accepted with warnings', num(u.summary.warnings)],
      ]),
    );
  if (u.results_url)
    parts.push(
      h(
        'p',
        {},
        h(
          'a',
          { href: u.results_url, class: 'btn btn-outline-primary', download: `${u.name}.results.csv` },
          'Download the results file',
        ),
      ),
    );
  const findings = done(u) && u.results_url ? await findingsOf(u) : undefined;
  section.replaceChildren(...parts, ...(findings ? [findings] : []));
}

/** The results file's findings: a filter by code and a table of the rows that have any. */
async function findingsOf(u: UploadView): Promise<HTMLElement> {
  const wrap = h(
    'section',
    { 'aria-labelledby': 'findings-heading' },
    h('h3', { id: 'findings-heading' }, 'Findings'),
  );
  let rows: ResultRow[];
  try {
    const res = await fetch(u.results_url!, { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    rows = (await parseResults(await res.text())).filter((r) => r.findings.length);
  } catch (err) {
    wrap.append(
      notice(
        'warning',
        `The results file could not be read here (${(err as Error).message}); download it instead.`,
      ),
    );
    return wrap;
  }
  if (!rows.length) {
    wrap.append(h('p', {}, 'No findings: every row was accepted as sent.'));
    return wrap;
  }
  const codes = [...new Set(rows.flatMap((r) => r.findings.map((f) => f.code)))].sort();
  const select = h(
    'select',
    { id: 'finding-code', class: 'form-select' },
    h('option', { value: '' }, `Every code (${rowsWord(rows.length)})`),
    ...codes.map((c) =>
      h(
        'option',
        { value: c },
        `${c} (${rowsWord(rows.filter((r) => r.findings.some((f) => f.code === c)).length)})`,
      ),
    ),
  );
  const holder = h('div', {});
  const show = () => {
    const code = select.value;
    const shown = code ? rows.filter((r) => r.findings.some((f) => f.code === code)) : rows;
    holder.replaceChildren(
      table(
        code ? `Rows with ${code}: ${shown.length}` : `Rows with findings: ${shown.length}`,
        ['Row', 'Event ID', 'Status', 'Findings', 'Fix'],
        shown.map((r) => [
          r.row,
          r.id || '—',
          h('span', { class: `status status-${r.status}` }, r.status),
          h(
            'ul',
            { class: 'finding-list' },
            ...r.findings.map((f) =>
              h('li', {}, `${f.code} (${f.severity ?? '—'}) ${f.field ?? ''}: ${f.message}`),
            ),
          ),
          r.status === 'rejected' && r.row !== 'file'
            ? h(
                'a',
                {
                  href: `/submit?upload=${encodeURIComponent(u.upload_id)}&row=${encodeURIComponent(r.row)}`,
                },
                `Fix row ${r.row}`,
              )
            : '',
        ]),
      ),
    );
  };
  select.addEventListener('change', show);
  wrap.append(
    h(
      'div',
      { class: 'findings-filter' },
      h(
        'div',
        {},
        h('label', { for: 'finding-code', class: 'form-label' }, 'Show rows with the code'),
        select,
      ),
    ),
    holder,
  );
  show();
  return wrap;
}
