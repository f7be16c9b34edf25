import './uploads.css';
import { apiGet } from '../api.ts';
import { h, notice, table } from '../dom.ts';
import { sitesOf } from '../session.ts';
import { sendFile, UploadRefused } from '../uploads/send-file.ts';
import type { Page } from './page.ts';

interface Listed {
  upload_id: string;
  name: string;
  status: string;
  created_at: string;
  rows_total: number | null;
  rows_processed: number;
  counts: { accepted: number; rejected: number; duplicates: number; warnings: number } | null;
}

const when = (iso: string) => new Date(iso).toLocaleString('en-US');
const num = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : n.toLocaleString('en-US');

/**
 * Site staff: send a file (drag and drop or choose), watch it go up, and the site's uploads, newest first. A
 * sent file opens its upload's page, which follows the processing.
 */
export const uploads: Page = {
  title: 'Uploads',
  roles: ['site'],
  nav: 'Uploads',
  blurb: 'send a file of doses by drag and drop, follow its processing, see its findings.',
  async render(main, { session, query, navigate }) {
    const sites = sitesOf(session!.claims);
    const site = sites.includes(query.get('site') ?? '') ? query.get('site')! : sites[0]!;
    const canWrite = session!.claims.dp_access !== 'read';
    main.append(h('h1', { tabindex: -1 }, 'Uploads'));
    if (sites.length > 1)
      main.append(
        h(
          'form',
          { class: 'site-pick', 'aria-label': 'Site' },
          h('label', { for: 'site', class: 'form-label' }, 'Site'),
          h(
            'select',
            {
              id: 'site',
              name: 'site',
              class: 'form-select',
              onchange: (e: Event) => navigate(`/uploads?site=${(e.target as HTMLSelectElement).value}`),
            },
            ...sites.map((s) => h('option', { value: s, selected: s === site }, s)),
          ),
        ),
      );
    main.append(
      canWrite
        ? dropZone(site, navigate)
        : notice('info', 'Your sign-in is read-only: you can follow uploads but not send files.'),
    );

    const res = await apiGet<{ uploads: Listed[] }>(
      `/v1/uploads?iis_id=${encodeURIComponent(site)}&limit=50`,
    );
    if (!res.ok) {
      main.append(notice('danger', res.issues[0]?.message ?? res.message));
      return;
    }
    const list = res.body.uploads;
    main.append(
      h('h2', {}, `Uploads of ${site}`),
      list.length
        ? table(
            `The ${list.length === 50 ? '50 newest' : list.length} uploads of ${site}, newest first`,
            ['File', 'Received', 'Status', 'Rows', 'Accepted', 'Rejected', 'With warnings'],
            list.map((u) => [
              h('a', { href: `/upload?id=${encodeURIComponent(u.upload_id)}` }, u.name),
              when(u.created_at),
              h('span', { class: `status status-${u.status}` }, u.status),
              u.rows_total === null
                ? num(u.rows_processed)
                : `${num(u.rows_processed)} of ${num(u.rows_total)}`,
              num(u.counts?.accepted),
              num(u.counts?.rejected),
              num(u.counts?.warnings),
            ]),
          )
        : h('p', {}, 'No uploads yet.'),
    );
  },
};

/** The drop zone: a real file input (keyboard and screen readers) inside an area that also takes a drop. */
function dropZone(site: string, navigate: (path: string) => void): HTMLElement {
  const bar = h('progress', { id: 'upload-progress', max: 100, value: 0, 'aria-label': 'Upload progress' });
  const said = h('p', { id: 'upload-status', role: 'status', 'aria-live': 'polite' });
  const progressRow = h('div', { class: 'upload-progress', hidden: true }, bar, said);
  const input = h('input', {
    id: 'upload-file',
    name: 'file',
    type: 'file',
    class: 'form-control',
    accept: '.csv,.tsv,.txt,.hl7,text/csv,text/plain,text/tab-separated-values',
    'aria-describedby': 'upload-hint',
  });
  const errors = h('div', {});
  let busy = false;

  async function send(file: File | undefined) {
    if (!file || busy) return;
    busy = true;
    errors.replaceChildren();
    progressRow.hidden = false;
    said.textContent = `Sending ${file.name}…`;
    try {
      const id = await sendFile(file, site, (sent, total) => {
        const pct = total ? Math.round((sent / total) * 100) : 100;
        bar.value = pct;
        bar.textContent = `${pct}%`;
        said.textContent = `Sending ${file.name}: ${pct}%`;
      });
      said.textContent = `${file.name} was received; opening its upload.`;
      navigate(`/upload?id=${encodeURIComponent(id)}`);
    } catch (err) {
      progressRow.hidden = true;
      errors.replaceChildren(
        notice(
          'danger',
          err instanceof UploadRefused
            ? err.message
            : `The file could not be sent: ${(err as Error).message}`,
        ),
      );
    } finally {
      busy = false;
      input.value = '';
    }
  }

  input.addEventListener('change', () => void send(input.files?.[0]));
  const zone = h(
    'div',
    { class: 'drop-zone', id: 'drop-zone' },
    h('label', { for: 'upload-file', class: 'form-label' }, 'Send a file of doses'),
    h(
      'p',
      { id: 'upload-hint', class: 'form-text' },
      `Drag a file here or choose one: CSV or tab-separated with CVRS column names, or an HL7 batch of VXU messages, for ${site}.`,
    ),
    input,
    progressRow,
    errors,
  );
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('drop-zone-over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('drop-zone-over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('drop-zone-over');
    void send(e.dataTransfer?.files?.[0]);
  });
  return zone;
}
