import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportDay } from '#cdc/day.ts';
import { startLocalRuntime } from '../../local/runtime.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { ADMIN_KEY, client, drained, enroll, type Runtime } from './harness.ts';

/** Everything written to stdout/stderr while the pipeline handles doses, at the most verbose log level. */
const written: string[] = [];
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};
let rt: Runtime;

beforeAll(async () => {
  const capture =
    () =>
    (chunk: unknown): boolean => {
      written.push(String(chunk));
      return true;
    };
  process.stdout.write = capture() as typeof process.stdout.write;
  process.stderr.write = capture() as typeof process.stderr.write;
  // The whole pipeline: intake, the registry reporter and its stand-ins, the CDC stager, report and stand-in.
  rt = await startLocalRuntime({
    iam: true,
    port: 0,
    schedules: false,
    sqs: { waitTimeSeconds: 1 },
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'DEBUG' },
  });
});

afterAll(async () => {
  await rt?.stop();
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
});

describe('privacy', () => {
  it('no name, date of birth, address or dose content appears in any log line', async () => {
    const api = client(rt);
    const site = await enroll(api);
    const person = {
      recip_first_name: 'Zebulon',
      recip_last_name: 'Quixotehaven',
      recip_dob: '1961-04-27',
      recip_address_street: '77 Sunflowerlane Rd',
    };
    await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'PRIV-1', ...person }),
    });
    await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'PRIV-2', ...person, admin_date: '1950-06-07' }),
    });
    await api.call('POST', '/v1/doses', {
      key: site.api_key,
      raw: `{"recip_first_name": "Zebulon",`,
      headers: { 'content-type': 'application/json' },
    });
    await api.call('PUT', '/v1/doses/PRIV-1', {
      key: site.api_key,
      headers: { 'if-match': '"1"' },
      body: modernaDose({ vax_event_id: 'PRIV-1', ...person, lot_number: '040A21A' }),
    });
    await api.call('GET', '/v1/doses/PRIV-1', { key: site.api_key });
    await rt.invoke('outboxSweeper', { olderThanSeconds: 0 });
    await drained(rt);
    const report = (await rt.invoke('cdcReport', { day: reportDay(new Date()), closeGraceSeconds: 0.5 })) as {
      reports: { status: string; files: unknown[] }[];
    };
    expect(report.reports[0]).toMatchObject({ status: 'uploaded' });
    expect(rt.registries.CAIR2!.received().length).toBeGreaterThan(0);
    const logs = written.join('');
    expect(logs).toContain('doses submitted'); // the logger was on and did write
    expect(logs).toContain('CDC report');
    for (const value of [...Object.values(person), '1961', 'Sunflowerlane', '039K20A', site.api_key]) {
      expect(logs).not.toContain(value);
    }
  });
});
