import './pipeline-health.css';
import { apiGet } from '../api.ts';
import { h, notice, table } from '../dom.ts';
import type { Page } from './page.ts';

interface Health {
  at: string;
  registries: {
    registry: string;
    state: 'sending' | 'paused' | 'probing';
    until?: string;
    reason?: string;
    failures: number;
    failuresToPause: number;
    parked: number;
    parkedCapped: boolean;
  }[];
  queues: { queue: string; waiting: number; inFlight: number; deadLetters: number }[];
  uploads: {
    by_status: Record<'received' | 'processing' | 'completed' | 'failed', number>;
    by_status_capped: boolean;
    stuck_after_minutes: number;
    stuck: { upload_id: string; iis_id: string; name: string; status: string; updated_at: string }[];
    failed: { upload_id: string; iis_id: string; name: string; status: string; updated_at: string }[];
  };
  cdc: {
    day: string;
    state: string;
    files: number;
    records: number;
    receipts: number;
    refused: number;
    heldBack: number;
    lastError?: string;
  }[];
  nightly: Record<'rollup' | 'analytics', NightlyJob>;
  alarms: { code: string; active: boolean; detail: string }[];
}

interface NightlyJob {
  day: string | null;
  completed_at: string | null;
  ok: boolean;
}

// California time, named, whatever the reader's machine is set to: the CDC days and the deadlines are Pacific.
const when = (iso: string) =>
  new Date(iso).toLocaleString('en-US', { timeZone: 'America/Los_Angeles', timeZoneName: 'short' });
const REASONS: Record<string, string> = {
  security: 'it refused our credentials (SOAP SecurityFault)',
  failures: 'it failed to answer several times in a row',
};
const QUEUES: Record<string, string> = {
  ingestFiles: 'Files dropped',
  ingestChunks: 'File chunks',
  registry: 'To the registries',
  cdc: 'To the CDC report',
  persons: 'Person matching',
};

const nightlyRow = (job: string, r: NightlyJob) => [
  job,
  r.day ?? 'none yet',
  r.completed_at ? when(r.completed_at) : '—',
  h('span', { class: r.ok ? 'health-ok' : 'health-bad' }, r.ok ? 'on time' : 'behind'),
];

/** Program staff and administrators: is the pipeline working, and where does it need a person? */
export const pipelineHealth: Page = {
  title: 'Pipeline health',
  roles: ['program', 'admin'],
  nav: 'Pipeline health',
  blurb: 'registries, queues, stuck uploads, the CDC report, the nightly runs and alarms.',
  async render(main) {
    main.append(h('h1', { tabindex: -1 }, 'Pipeline health'));
    const res = await apiGet<Health>('/v1/health');
    if (!res.ok) {
      main.append(notice('danger', res.issues[0]?.message ?? res.message));
      return;
    }
    const x = res.body;
    main.append(h('p', {}, `As of ${when(x.at)}.`));
    const active = x.alarms.filter((a) => a.active);
    main.append(
      active.length
        ? h(
            'div',
            { class: 'alert alert-danger', role: 'alert' },
            h('p', { class: 'fw-bold' }, 'Needs a person:'),
            h('ul', { class: 'mb-0' }, ...active.map((a) => h('li', {}, `${a.code}: ${a.detail}`))),
          )
        : notice('success', 'No alarm condition is active.'),
    );
    for (const r of x.registries.filter((r) => r.state !== 'sending'))
      main.append(
        notice(
          'warning',
          `${r.registry} is ${r.state === 'paused' ? `paused until ${when(r.until!)}` : 'being probed after a pause'}: ${
            REASONS[r.reason ?? ''] ?? r.reason
          }. ${r.parkedCapped ? 'At least ' : ''}${r.parked} message${r.parked === 1 ? ' is' : 's are'} parked and will be sent when it takes them again.`,
        ),
      );
    main.append(
      h('h2', {}, 'Regional registries'),
      table(
        'Each registry: sending or paused, and its messages waiting',
        ['Registry', 'State', 'Failures in a row', 'Parked messages'],
        x.registries.map((r) => [
          r.registry,
          h('span', { class: `health-state health-${r.state}` }, r.state),
          `${r.failures} (pauses at ${r.failuresToPause})`,
          `${r.parkedCapped ? '≥ ' : ''}${r.parked}`,
        ]),
      ),
      h('h2', {}, 'Queues'),
      table(
        'Messages waiting, being worked on, and in each dead-letter queue',
        ['Queue', 'Waiting', 'In flight', 'Dead letters'],
        x.queues.map((q) => [
          QUEUES[q.queue] ?? q.queue,
          q.waiting,
          q.inFlight,
          h('span', { class: q.deadLetters > 0 ? 'health-bad' : '' }, String(q.deadLetters)),
        ]),
      ),
      h('h2', {}, 'Uploads'),
      table(
        `Uploads by status${x.uploads.by_status_capped ? ' (a count shown as at least)' : ''}`,
        ['Received', 'Processing', 'Completed', 'Failed'],
        [
          (['received', 'processing', 'completed', 'failed'] as const).map(
            (s) => `${x.uploads.by_status_capped ? '≥ ' : ''}${x.uploads.by_status[s]}`,
          ),
        ],
        false,
      ),
      x.uploads.stuck.length || x.uploads.failed.length
        ? table(
            `Uploads stuck for over ${x.uploads.stuck_after_minutes} minutes, then the latest failed`,
            ['File', 'Site', 'Status', 'Last moved'],
            [...x.uploads.stuck, ...x.uploads.failed].map((u) => [
              u.name,
              u.iis_id,
              u.status,
              when(u.updated_at),
            ]),
          )
        : h(
            'p',
            {},
            `No upload is stuck (over ${x.uploads.stuck_after_minutes} minutes) and none failed lately.`,
          ),
      h('h2', {}, 'The daily CDC report'),
      table(
        'The CDC report of each of the last seven days',
        ['Day', 'State', 'Files', 'Records', 'Receipts', 'Refused by CDC', 'Held back'],
        x.cdc.map((d) => [
          d.day,
          d.lastError ? `${d.state} (${d.lastError})` : d.state,
          d.files,
          d.records,
          d.receipts,
          d.refused,
          d.heldBack,
        ]),
      ),
      h('h2', {}, 'Nightly runs'),
      table(
        'The last day each nightly job completed, and whether it is behind',
        ['Job', 'Last day completed', 'Finished', 'Now'],
        [
          nightlyRow('Accountability roll-up', x.nightly.rollup),
          nightlyRow('Uptake, coverage, supply and timeliness', x.nightly.analytics),
        ],
      ),
      h('h2', {}, 'Alarms'),
      table(
        'Each alarm and whether its condition shows now',
        ['Alarm', 'Now', 'What the records show'],
        x.alarms.map((a) => [
          a.code,
          h('span', { class: a.active ? 'health-bad' : 'health-ok' }, a.active ? 'active' : 'clear'),
          a.detail,
        ]),
      ),
    );
  },
};
