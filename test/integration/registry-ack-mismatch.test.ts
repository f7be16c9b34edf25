import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernaDose } from '../fixtures/doses.ts';
import { type Client, client, enroll, type Runtime } from './harness.ts';
import { counties, reported, start } from './registry-harness.ts';

/** What the pipeline writes (its structured log; errors go to stderr), captured; its own file, as it swaps both. */
const written: string[] = [];
const original = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};
const capture = ((chunk: unknown) => {
  written.push(String(chunk));
  return true;
}) as typeof process.stdout.write;

describe('an ACK that answers another message (MSA-2 is not the MSH-10 we sent)', () => {
  let rt: Runtime;
  let api: Client;
  beforeAll(async () => {
    process.stdout.write = capture;
    process.stderr.write = capture;
    rt = await start();
    api = client(rt);
  });
  afterAll(async () => {
    await rt?.stop();
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  });

  it('leaves the dose unsettled, logs REGISTRY_ACK_MISMATCH without patient data, and settles it once the registry answers it', async () => {
    const site = await enroll(api, counties.sacramento);
    const cair2 = rt.registries.CAIR2!;
    cair2.faults.set({ wrongMsa2: true });
    const id = 'MSA2-1';
    const person = { recip_last_name: 'Quillfeather', recip_first_name: 'Ottoline' };
    await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: id, ...person }),
    });

    const sentFor = () => cair2.received().filter((m) => m.parsed.doses.some((d) => d.vax_event_id === id));
    const until = Date.now() + 20_000;
    while (sentFor().length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    // Answered twice with another message's MSA-2, and still not settled: it goes again.
    expect(sentFor().length).toBeGreaterThanOrEqual(2);
    const pending = await api.call('GET', `/v1/doses/${id}`, { key: site.api_key });
    expect(pending.json.reports?.registry?.status ?? 'pending').toBe('pending');

    const lines = written.filter((l) => l.includes('REGISTRY_ACK_MISMATCH'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'REGISTRY_ACK_MISMATCH', registry: 'CAIR2' });
    for (const l of lines) {
      expect(l).not.toContain(person.recip_last_name);
      expect(l).not.toContain(id);
    }

    cair2.faults.clear();
    const dose = await reported(api, site.api_key, id);
    expect(dose.reports.registry).toMatchObject({ registry: 'CAIR2', status: 'accepted', sent_as: 'A' });
  });
});
