/**
 * What a dose costs in AWS, measured: the whole pipeline (registries' and CDC's stand-ins, person matching, IAM
 * enforced, functions logging at their deployed level) with the local runtime's meter on (local/metering/), fed
 * one path at a time, each until every queue has drained: the JSON API in batches of 100, a dropped file with
 * the bench's known mix, VXU over SOAP one message per request; then the day's scheduled jobs over those doses
 * (the CDC report, the roll-up, the analytics, the follow-up lists). Prints one JSON line: each phase's meter
 * snapshot and the doses it accepted. bench/figures/cost.ts prices it with bench/cost/prices.ts.
 *   node bench/cost-run.ts [apiDoses] [fileRows] [soapMessages]
 *
 * The doses are stored "yesterday" (the process's clock is set a day back while they come in) so that the
 * roll-up, which only rolls up a day that has ended, runs over them as it would each night.
 */
import { buildVxu, cairFacilities } from '#codecs/hl7/index.ts';
import { buildSubmitSingleMessageRequest, soapContentType } from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';
import { topology } from '../infra/topology.ts';
import { demoSite, modernaDose } from '../local/demo.ts';
import type { MeterSnapshot } from '../local/metering/meter.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { doseFile, expectedCounts, mixedKinds } from '../test/fixtures/files.ts';
import { shiftClock } from './clock.ts';

const arg = (i: number, fallback: number) => Number(process.argv[i] ?? fallback);
const [apiDoses, fileRows, soapMessages] = [arg(2, 2000), arg(3, 5000), arg(4, 500)];
const DAY_MS = 86_400_000;
const restoreClock = shiftClock(-DAY_MS);
const adminKey = 'bench-admin-key';
const rt = await startLocalRuntime({
  port: 0,
  schedules: false,
  iam: true,
  metering: { quietLogs: true },
  sqs: { waitTimeSeconds: 1 },
  extraEnv: { ADMIN_KEY: adminKey },
  logger: () => {},
});
const meter = rt.meter!;
const json = { 'content-type': 'application/json' };
const call = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await fetch(`${rt.apiUrl}${path}`, {
    method,
    headers: { ...json, authorization: `Bearer ${key}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

async function drained(): Promise<void> {
  let quiet = 0;
  while (quiet < 3) {
    const depths = await rt.queueDepths();
    quiet = depths.every((q) => q.visible + q.inFlight + q.delayed === 0) ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const site = (await call('POST', '/v1/sites', adminKey, { ...demoSite, iis_id: 'COST1' })).json as {
  iis_id: string;
  api_key: string;
};
const phases: { phase: string; doses: number; snapshot: MeterSnapshot }[] = [];
const phase = async (name: string, run: () => Promise<number>) => {
  await drained();
  meter.reset();
  const doses = await run();
  await drained();
  phases.push({ phase: name, doses, snapshot: meter.snapshot() });
};

// Each recipient a different person (the fixture's dose names one woman; person matching would block them all
// together and read every earlier one for each).
const FIRST = [
  'Maria',
  'Jose',
  'Linh',
  'Aiyana',
  'Devon',
  'Priya',
  'Samuel',
  'Mei',
  'Omar',
  'Grace',
  'Luis',
  'Fatima',
];
const LAST = [
  'Gonzalez',
  'Nguyen',
  'Smith',
  'Patel',
  'Kim',
  'Garcia',
  'Johnson',
  'Chen',
  'Lopez',
  'Okafor',
  'Brown',
];
const person = (n: number) => ({
  recip_first_name: FIRST[n % FIRST.length],
  recip_middle_name: '',
  recip_last_name: `${LAST[Math.floor(n / FIRST.length) % LAST.length]}${Math.floor(n / (FIRST.length * LAST.length)) || ''}`,
  recip_dob: `${1930 + (n % 70)}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
});

// Half first doses, half second doses of the same people (a second dose looks up the recipient's first).
const dose = (i: number, prefix: string) =>
  modernaDose({
    ...person(Math.floor(i / 2) + (prefix === 'VXU' ? 50_000 : 0)),
    vax_event_id: `${prefix}-${i}`,
    recip_id: `${prefix}-R${Math.floor(i / 2)}`,
    ...(i % 2 ? { dose_num: '2', admin_date: '2021-04-08', vax_series_complete: 'YES' } : {}),
  });

await phase('JSON API, batches of 100', async () => {
  let accepted = 0;
  for (let b = 0; b < apiDoses / 100; b++) {
    const res = await call('POST', '/v1/doses', site.api_key, {
      doses: Array.from({ length: 100 }, (_, i) => dose(b * 100 + i, 'API')),
    });
    const results = (res.json.results ?? []) as { status: string }[];
    accepted += results.filter((r) => r.status === 'accepted').length;
  }
  return accepted;
});

await phase('dropped file (known mix)', async () => {
  const kinds = mixedKinds(fileRows);
  const body = doseFile(kinds, 'cvrs', 'FILE', (i) => person(100_000 + i));
  const start = (await call('POST', '/v1/uploads', site.api_key, { name: 'cost.tsv' })).json as {
    upload_id: string;
    url: string;
    headers: Record<string, string>;
  };
  await fetch(start.url, { method: 'PUT', headers: start.headers, body });
  meter.external(
    'site (presigned URL)',
    'S3.PutObject',
    `${rt.env[BUCKET_ENV.drop]}/incoming/`,
    Buffer.byteLength(body),
  );
  for (;;) {
    const upload = (await call('GET', `/v1/uploads/${start.upload_id}`, site.api_key)).json;
    if (upload.status === 'completed' || upload.status === 'failed') {
      await (await fetch(upload.results_url as string)).arrayBuffer();
      meter.external('site (presigned URL)', 'S3.GetObject');
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return expectedCounts(kinds).accepted;
});

await phase('VXU over SOAP, 1 per request', async () => {
  let accepted = 0;
  for (let i = 0; i < soapMessages; i++) {
    const hl7 = buildVxu({
      messageControlId: `COST-${i}`,
      sentAt: new Date(),
      ...cairFacilities(site.iis_id),
      processingId: 'P',
      action: 'A',
      dose: { iis_id: site.iis_id, ...dose(i, 'VXU') } as unknown as Dose,
    });
    const res = await fetch(`${rt.apiUrl}/v1/iis`, {
      method: 'POST',
      headers: { 'content-type': soapContentType('submitSingleMessage') },
      body: buildSubmitSingleMessageRequest({
        username: site.iis_id,
        password: site.api_key,
        facilityID: site.iis_id,
        hl7Message: hl7,
      }),
    });
    if ((await res.text()).includes('MSA|AA')) accepted++;
  }
  return accepted;
});

// The night after: the doses above were stored "yesterday".
restoreClock();
const day = new Date(Date.now() - DAY_MS).toLocaleDateString('en-CA', { timeZone: 'America/Los_Angeles' });
const total = phases.reduce((n, p) => n + p.doses, 0);
await phase("the day's scheduled jobs", async () => {
  await rt.invoke('cdcReport', { day, closeGraceSeconds: 0 });
  await rt.invoke('nightlyRollup', { date: day });
  await rt.invoke('analyticsNightly', { date: day });
  await rt.invoke('followUp', { date: day });
  return total;
});

// How long what each phase stored is kept: the bucket's lifecycle rule for the prefix (the stack's), else a year.
const retention: Record<string, number> = {};
for (const { snapshot } of phases)
  for (const where of Object.keys(snapshot.stored)) {
    const [name, prefix] = where.split('/');
    const bucket = Object.values(topology.buckets).find((b) => rt.env[b.envVar] === name);
    const rule = (bucket?.lifecycle as readonly { prefix: string; expireDays: number }[] | undefined)?.find(
      (r) => `${prefix}/`.startsWith(r.prefix),
    );
    retention[where] = rule?.expireDays ?? 365;
  }
console.log(JSON.stringify({ phases, retention }));
await rt.stop();
