import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { s3Audit } from '#cdc/audit.ts';
import { ClearinghouseClient, type RecordType } from '#cdc/clearinghouse/client.ts';
import { parseClearinghouseConfig } from '#cdc/clearinghouse/config.ts';
import { checkCvrsRecord } from '#cdc/cvrs-check.ts';
import { addDays, reportDay } from '#cdc/day.ts';
import { type DayReport, runReportDay } from '#cdc/report-day.ts';
import { changesBefore, closeDay, dayStatus, stageChange } from '#cdc/store.ts';
import { cdcEventId, cvrsLine, cvrsRecord } from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { ALARMS } from '#platform/alarms.ts';
import { logger } from '#platform/logger.ts';
import { generateLocalTls } from '../../local/standins/tls.ts';
import { demoSite, modernaDose, refusalDose } from '../fixtures/doses.ts';
import { type Client, client, drained, enroll, type Runtime, startWithout } from './harness.ts';

const RECIPIENT_KEY = 'cdc-report-test-recipient-key';

describe('the daily CDC report', () => {
  let rt: Runtime;
  let api: Client;
  let site: { iis_id: string; api_key: string };
  const day1 = reportDay(new Date());
  const day2 = addDays(day1, 1);
  const cdcId = (id: string) => cdcEventId(RECIPIENT_KEY, site.iis_id, id);

  beforeAll(async () => {
    rt = await startWithout(['registryReporter'], { extraEnv: { CDC_RECIPIENT_KEY: RECIPIENT_KEY } });
    api = client(rt);
    site = await enroll(api);
  });
  afterAll(async () => rt?.stop());

  /** Every change so far is staged once the CDC queue is empty. */
  const staged = () => drained(rt, 'cdc-changes');

  const post = async (body: unknown) => {
    const res = await api.call('POST', '/v1/doses', { key: site.api_key, body });
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(['accepted']);
  };

  /** The event IDs (ours) in a day's files of a type, read back from the audit bucket as sent. */
  async function idsIn(report: DayReport, type: string): Promise<string[]> {
    const ids: string[] = [];
    for (const f of report.files.filter((x) => x.type === type)) {
      const text = await s3Audit.get(`cdc/${report.day}/${f.name}`);
      const [header, ...lines] = text.trimEnd().split('\n');
      expect(header).toBe(CVRS_FIELDS.join('\t'));
      for (const l of lines) ids.push(l.split('\t')[CVRS_FIELDS.indexOf('vax_event_id')]!);
    }
    return ids.sort();
  }

  it('sends a day of new doses (a refusal among them) in one "new" file, accepted by the Clearinghouse', async () => {
    await post(modernaDose({ vax_event_id: 'A1', recip_id: 'P1' }));
    await post(modernaDose({ vax_event_id: 'A2', recip_id: 'P2', recip_first_name: 'Zqbeatrix' }));
    await post(modernaDose({ vax_event_id: 'A3', recip_id: 'P3' }));
    await post(refusalDose({ vax_event_id: 'R1', recip_id: 'P4' }));
    await staged();

    const { reports } = (await rt.invoke('cdcReport', { day: day1, closeGraceSeconds: 1 })) as {
      reports: DayReport[];
    };
    const [report] = reports;
    expect(report).toMatchObject({ day: day1, status: 'uploaded', built: 'now', heldBack: 0 });
    expect(report!.files.map((f) => [f.name, f.type, f.records, f.sent])).toEqual([
      [`${day1.replaceAll('-', '')}_01_CAA.txt`, 'new', 4, 'now'],
    ]);
    expect(report!.files[0]!.receipt).toMatchObject({ validationErrors: 0, processingErrors: 0 });
    expect(await idsIn(report!, 'new')).toEqual(['A1', 'A2', 'A3', 'R1'].map(cdcId).sort());
    const text = await s3Audit.get(`cdc/${day1}/${report!.files[0]!.name}`);
    for (const leak of ['Maria', 'Zqbeatrix', 'Gonzalez', 'Broadway', 'PAT-', '\tA1\t'])
      expect(text).not.toContain(leak);
    // The patient lives in Oakland, as the clinic is: the clinic's city stays, the patient's is redacted.
    for (const l of text.trimEnd().split('\n').slice(1))
      expect(l.split('\t')[CVRS_FIELDS.indexOf('recip_address_city')]).toBe('Redacted');
    const refusalLine = text
      .split('\n')
      .find((l) => l.startsWith(cdcId('R1')))!
      .split('\t');
    expect(refusalLine[CVRS_FIELDS.indexOf('lot_number')]).toBe('');
    // Four records are over 1 KiB: gzipped on the way, as CDC's sender does, over the stand-in's mutual TLS.
    expect(rt.clearinghouse!.url).toMatch(/^https:/);
    expect(rt.clearinghouse!.received()).toEqual([
      expect.objectContaining({ contentEncoding: 'gzip', records: 4 }),
    ]);
    for (const id of ['A1', 'A2', 'A3', 'R1']) expect(rt.clearinghouse!.holds(cdcId(id))).toBe(true);
  });

  it('sends nothing when the same day runs again', async () => {
    const { reports } = (await rt.invoke('cdcReport', { day: day1, closeGraceSeconds: 0 })) as {
      reports: DayReport[];
    };
    expect(reports[0]).toMatchObject({ status: 'uploaded', built: 'before' });
    expect(reports[0]!.files.map((f) => f.sent)).toEqual(['before']);
    expect(rt.clearinghouse!.received()).toHaveLength(1);
  });

  it('puts changes stored after the day’s upload in the next day: new, changed and deleted files, each once through failures', async () => {
    await post(modernaDose({ vax_event_id: 'A4', recip_id: 'P5' }));
    const upd = await api.call('PUT', '/v1/doses/A2', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'A2', recip_id: 'P2', lot_number: '040K20A' }),
      headers: { 'if-match': '"1"' },
    });
    expect(upd.status).toBe(200);
    expect(
      (await api.call('DELETE', '/v1/doses/A3', { key: site.api_key, headers: { 'if-match': '"1"' } }))
        .status,
    ).toBe(200);
    // Added and deleted within the day: CDC never hears of it.
    await post(modernaDose({ vax_event_id: 'A5', recip_id: 'P6' }));
    expect(
      (await api.call('DELETE', '/v1/doses/A5', { key: site.api_key, headers: { 'if-match': '"1"' } }))
        .status,
    ).toBe(200);
    await staged();
    expect((await dayStatus(day1)).closedAt).toBeDefined();

    // The Clearinghouse fails twice, then its tokens expire: every file still arrives exactly once.
    rt.clearinghouse!.setFaults({ failNext: 2, status: 500 });
    const deps = {
      now: () => new Date(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      closeGraceSeconds: 1,
      uploader: async () => new ClearinghouseClient(parseClearinghouseConfig(process.env.CDC_CLEARINGHOUSE!)),
      audit: s3Audit,
      check: checkCvrsRecord,
      submitter: 'CAA',
    };
    // Tomorrow cannot be run through the handler today (it refuses days that have not begun): the same code, direct.
    const first = await runReportDay(day2, deps);
    expect(first).toMatchObject({ status: 'incomplete', built: 'now' });
    expect(first.files.map((f) => f.sent)).toEqual(['pending', 'pending', 'pending']);
    const second = await runReportDay(day2, deps);
    expect(second).toMatchObject({ status: 'incomplete', built: 'before' });
    rt.clearinghouse!.setFaults({ expireTokens: true });
    const third = await runReportDay(day2, deps);
    expect(third).toMatchObject({ status: 'uploaded', built: 'before' });

    const prefix = day2.replaceAll('-', '');
    expect(third.files.map((f) => [f.name, f.type, f.records])).toEqual([
      [`${prefix}_01_CAA.txt`, 'new', 1],
      [`${prefix}_02_CAA.txt`, 'changed', 1],
      [`${prefix}_03_CAA.txt`, 'deleted', 1],
    ]);
    expect(await idsIn(third, 'new')).toEqual([cdcId('A4')]);
    expect(await idsIn(third, 'changed')).toEqual([cdcId('A2')]);
    expect(await idsIn(third, 'deleted')).toEqual([cdcId('A3')]);
    for (const f of third.files)
      expect(f.receipt).toMatchObject({ validationErrors: 0, processingErrors: 0 });

    const received = rt.clearinghouse!.received();
    expect(received.map((r) => r.fileName).sort()).toEqual([
      `${day1.replaceAll('-', '')}_01_CAA.txt`,
      `${prefix}_01_CAA.txt`,
      `${prefix}_02_CAA.txt`,
      `${prefix}_03_CAA.txt`,
    ]);
    expect(rt.clearinghouse!.holds(cdcId('A3'))).toBe(false);
    expect(rt.clearinghouse!.holds(cdcId('A5'))).toBe(false);
    expect((await dayStatus(day2)).uploadedAt).toBeDefined();

    const again = await runReportDay(day2, deps);
    expect(again.files.map((f) => f.sent)).toEqual(['before', 'before', 'before']);
    expect(rt.clearinghouse!.received()).toHaveLength(4);
  });

  it('keeps every file sent in the audit bucket with its receipt', async () => {
    const status = await dayStatus(day2);
    for (const f of status.manifest!.files) {
      const receipt = JSON.parse(await s3Audit.get(`${f.key}.receipt.json`));
      expect(receipt).toMatchObject({
        file: f.name,
        status: 200,
        validationErrors: [],
        processingErrors: [],
      });
      expect(status.receipts[f.name]!.id).toBe(receipt.id);
    }
  });

  it('does not assume CDC has a record it never got: held back or refused, its next change goes as "new"', async () => {
    const day3 = addDays(day1, 2);
    const day4 = addDays(day1, 3);
    for (const id of ['H1', 'V1', 'P1']) await post(modernaDose({ vax_event_id: id, recip_id: `R-${id}` }));
    await staged();
    const client = new ClearinghouseClient(parseClearinghouseConfig(process.env.CDC_CLEARINGHOUSE!));
    const base = {
      now: () => new Date(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      closeGraceSeconds: 1,
      audit: s3Audit,
      submitter: 'CAA',
    };
    // Day 3: H1 fails our checks (held back); CDC refuses V1 by line and P1 by event ID (simulated here by
    // leaving their lines out of what reaches the stand-in and answering as CDC would).
    const refusing = {
      async upload(name: string, type: RecordType, text: string) {
        const lines = text.split('\n');
        // CDC numbers records from 1, the first after the header.
        const lineOf = (id: string) => lines.findIndex((l) => l.startsWith(cdcId(id)));
        const v1 = lineOf('V1');
        const sent = lines.filter((l) => !l.startsWith(cdcId('V1')) && !l.startsWith(cdcId('P1'))).join('\n');
        const out = await client.upload(name, type, sent);
        if (out.kind !== 'accepted') return out;
        return {
          ...out,
          receipt: {
            ...out.receipt,
            validationErrors: [`line#${v1} field=vax_route message=simulated refusal`],
            processingErrors: [`VaxEventId=${cdcId('P1')} RecipId=x message=simulated refusal`],
          },
        };
      },
    };
    const warn = vi.spyOn(logger, 'warn');
    const day3Report = await runReportDay(day3, {
      ...base,
      uploader: async () => refusing,
      check: (values, today) =>
        values[0] === cdcId('H1')
          ? [{ code: 'DATA007', severity: 'error' as const, field: 'cvx', message: 'simulated' }]
          : checkCvrsRecord(values, today),
    });
    expect(day3Report).toMatchObject({ status: 'uploaded', heldBack: 1 });
    // The alarm's log line (shared/platform/alarms.ts): counts and the audit key, no record.
    expect(warn).toHaveBeenCalledWith(
      ALARMS.cdcRecordsHeldBack.code,
      expect.objectContaining({ day: day3, records: 1 }),
    );
    warn.mockRestore();
    expect(day3Report.files[0]!.receipt).toMatchObject({ validationErrors: 1, processingErrors: 1 });
    for (const id of ['H1', 'V1', 'P1']) expect(rt.clearinghouse!.holds(cdcId(id))).toBe(false);

    // Each is corrected the next day: CDC has none of them, so each goes as new, and CDC takes it.
    for (const id of ['H1', 'V1', 'P1']) {
      const res = await api.call('PUT', `/v1/doses/${id}`, {
        key: site.api_key,
        headers: { 'if-match': '"1"' },
        body: modernaDose({ vax_event_id: id, recip_id: `R-${id}`, lot_number: '041K20A' }),
      });
      expect(res.status).toBe(200);
    }
    await staged();
    const day4Report = await runReportDay(day4, {
      ...base,
      uploader: async () => client,
      check: checkCvrsRecord,
    });
    expect(day4Report.files.map((f) => [f.type, f.records])).toEqual([['new', 3]]);
    expect(day4Report.files[0]!.receipt).toMatchObject({ validationErrors: 0, processingErrors: 0 });
    for (const id of ['H1', 'V1', 'P1']) expect(rt.clearinghouse!.holds(cdcId(id))).toBe(true);
    const held = JSON.parse(await s3Audit.get(`cdc/${day3}/held-back.json`));
    expect(held).toEqual([
      {
        iis_id: site.iis_id,
        vax_event_id: 'H1',
        version: 1,
        type: 'new',
        findings: [{ code: 'DATA007', field: 'cvx' }],
      },
    ]);
  });

  it('finishes an earlier incomplete day first, and holds a later day back while it is incomplete', async () => {
    const yesterday = addDays(day1, -1);
    const dose = {
      ...normalizeDose({ ...modernaDose({ vax_event_id: 'Y1' }), ...demoSite }).dose,
      iis_id: site.iis_id,
    };
    await stageChange({
      iis_id: site.iis_id,
      vax_event_id: 'Y1',
      version: 1,
      action: 'A',
      day: yesterday,
      line: cvrsLine(cvrsRecord(dose, RECIPIENT_KEY)),
    });
    await closeDay(yesterday, new Date(Date.now() - 3_600_000));
    rt.clearinghouse!.setFaults({ failNext: 10, status: 503 });
    const failing = (await rt.invoke('cdcReport', { day: day1 })) as { reports: DayReport[] };
    expect(failing.reports.map((r) => [r.day, r.status])).toEqual([
      [yesterday, 'incomplete'],
      [day1, 'blocked'],
    ]);
    rt.clearinghouse!.clearFaults();
    const recovered = (await rt.invoke('cdcReport', { day: day1 })) as { reports: DayReport[] };
    expect(recovered.reports.map((r) => [r.day, r.status])).toEqual([
      [yesterday, 'uploaded'],
      [day1, 'uploaded'],
    ]);
    expect(rt.clearinghouse!.holds(cdcId('Y1'))).toBe(true);
  });

  it('finishes marking what CDC refused when a run died right after the receipt', async () => {
    const day5 = addDays(day1, 4);
    await post(modernaDose({ vax_event_id: 'K1', recip_id: 'R-K1' }));
    await staged();
    const client = new ClearinghouseClient(parseClearinghouseConfig(process.env.CDC_CLEARINGHOUSE!));
    const refusingK1 = {
      async upload(name: string, type: RecordType, text: string) {
        const sent = text
          .split('\n')
          .filter((l) => !l.startsWith(cdcId('K1')))
          .join('\n');
        const out = await client.upload(name, type, sent);
        if (out.kind !== 'accepted') return out;
        return {
          ...out,
          receipt: {
            ...out.receipt,
            processingErrors: [`VaxEventId=${cdcId('K1')} RecipId=x message=simulated`],
          },
        };
      },
    };
    const deps = {
      now: () => new Date(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      closeGraceSeconds: 1,
      check: checkCvrsRecord,
      submitter: 'CAA',
      uploader: async () => refusingK1,
    };
    const dying = {
      ...s3Audit,
      async put(key: string, body: string, type: string) {
        if (key.endsWith('.receipt.json')) throw new Error('simulated crash');
        return s3Audit.put(key, body, type);
      },
    };
    await expect(runReportDay(day5, { ...deps, audit: dying })).rejects.toThrow('simulated crash');
    const [file] = (await dayStatus(day5)).manifest!.files;
    expect((await dayStatus(day5)).receipts[file!.name]).toMatchObject({
      processingErrors: 1,
      marked: false,
    });
    expect(await changesBefore(site.iis_id, 'K1', addDays(day5, 1))).toHaveLength(1);

    const again = await runReportDay(day5, { ...deps, audit: s3Audit });
    expect(again.files.map((f) => f.sent)).toEqual(['before']);
    expect((await dayStatus(day5)).receipts[file!.name]).toMatchObject({ marked: true });
    expect(await changesBefore(site.iis_id, 'K1', addDays(day5, 1))).toEqual([]);
  });

  it('over mutual TLS: without the right client certificate nothing is sent or marked; with it, the day goes once', async () => {
    const day6 = addDays(day1, 5);
    const secret = JSON.parse(process.env.CDC_CLEARINGHOUSE!) as Record<string, string>;
    expect(secret.url).toMatch(/^https:/);
    expect(secret).toMatchObject({ certificate: expect.any(String), privateKey: expect.any(String) });
    await post(modernaDose({ vax_event_id: 'T1', recip_id: 'R-T1' }));
    await staged();
    const other = generateLocalTls();
    const withSecret = (changes: Record<string, string | undefined>) => ({
      now: () => new Date(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      closeGraceSeconds: 1,
      audit: s3Audit,
      check: checkCvrsRecord,
      submitter: 'CAA',
      uploader: async () =>
        new ClearinghouseClient(parseClearinghouseConfig(JSON.stringify({ ...secret, ...changes }))),
    });
    const received = rt.clearinghouse!.received().length;

    const none = await runReportDay(day6, withSecret({ certificate: undefined, privateKey: undefined }));
    expect(none).toMatchObject({ status: 'incomplete', built: 'now' });
    expect(none.files.map((f) => f.sent)).toEqual(['pending']);
    expect(none.error).toMatch(/CDC Clearinghouse refused the TLS client certificate.*none is configured/);
    const wrong = await runReportDay(
      day6,
      withSecret({ certificate: other.clientCert, privateKey: other.clientKey }),
    );
    expect(wrong).toMatchObject({ status: 'incomplete', built: 'before' });
    expect(wrong.error).toContain('refused the TLS client certificate');
    expect((await dayStatus(day6)).receipts).toEqual({});
    expect((await dayStatus(day6)).uploadedAt).toBeUndefined();
    expect(rt.clearinghouse!.received()).toHaveLength(received);
    expect(rt.clearinghouse!.holds(cdcId('T1'))).toBe(false);

    const right = await runReportDay(day6, withSecret({}));
    expect(right).toMatchObject({ status: 'uploaded', built: 'before' });
    expect(right.files.map((f) => [f.type, f.records, f.sent])).toEqual([['new', 1, 'now']]);
    expect(rt.clearinghouse!.holds(cdcId('T1'))).toBe(true);
    const again = await runReportDay(day6, withSecret({}));
    expect(again.files.map((f) => f.sent)).toEqual(['before']);
    expect(rt.clearinghouse!.received()).toHaveLength(received + 1);
  });

  it('the 11:00 check reports a day whose upload has not succeeded', async () => {
    expect(await rt.invoke('cdcReport', { check: day1 })).toEqual({ check: day1, uploaded: true });
    const old = addDays(day1, -30);
    expect(await rt.invoke('cdcReport', { check: old })).toEqual({ check: old, uploaded: false });
  });
});
