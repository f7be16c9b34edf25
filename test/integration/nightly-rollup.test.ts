import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { getSite } from '#sites/store.ts';
import { recordReceipt, recordWastage } from '#stock/record.ts';
import { REPORT_FILES, reportKey } from '#stock/report-files.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { setBeyondUseDate, setLotExpiration } from '#stock/store.ts';
import { modernaDose, refusalDose } from '../fixtures/doses.ts';
import { type Client, client, enroll, type Runtime, startWithout } from './harness.ts';
import { counties } from './registry-harness.ts';

const NDC = '80777-0273-10';
const reports = bucketStore('REPORTS_BUCKET');

describe('the nightly roll-up of a golden day', () => {
  let rt: Runtime;
  let api: Client;
  let s1: { iis_id: string; api_key: string };
  let s2: { iis_id: string; api_key: string };
  let systemId: string;
  const now = new Date();
  const today = localDate(now);
  const firstRun = new Map<string, string>();

  beforeAll(async () => {
    rt = await startWithout(['registryReporter', 'cdcStager']);
    api = client(rt);
    // Two clinics of one health system (one sending facility), so they may transfer doses between them.
    const system = await enroll(api, { admin_name: 'Valley health system' });
    systemId = system.iis_id;
    s1 = await enroll(api, {
      ...counties.sacramento,
      admin_name: 'Sacramento clinic',
      sending_facility_iis_id: system.iis_id,
    });
    s2 = await enroll(api, {
      ...counties.sanJoaquin,
      admin_name: 'Stockton clinic',
      sending_facility_iis_id: system.iis_id,
    });
  });
  afterAll(async () => rt?.stop());

  const ctx = (iis_id: string) => ({
    iis_id,
    // Sent with the health system's key: it acts for both clinics, so a transfer between them writes both sides.
    caller: { role: 'site' as const, iis_id: systemId },
    now,
    source: 'api',
    site: getSite,
  });
  const receipt = async (iis: string, record_id: string, lot: string, doses: number, from?: string) =>
    expect(
      (
        await recordReceipt(
          {
            record_id,
            ndc: NDC,
            lot_number: lot,
            doses,
            date: today,
            ...(from ? { from_iis_id: from } : {}),
          },
          ctx(iis),
        )
      ).status,
    ).toBe('accepted');
  const waste = async (record_id: string, lot: string, doses: number, reason: string, reason_text?: string) =>
    expect(
      (
        await recordWastage(
          { record_id, ndc: NDC, lot_number: lot, doses, date: today, reason, reason_text },
          ctx(s1.iis_id),
        )
      ).status,
    ).toBe('accepted');
  const post = async (body: Record<string, unknown>) => {
    const res = await api.call('POST', '/v1/doses', { key: s1.api_key, body });
    expect(res.json.results[0].status).toBe('accepted');
  };

  it('yields exactly the expected figures in every report', async () => {
    // Lots: AA1001 extended (the newer expiration counts), BB2002 expires in 5 days, CC3003 long expired.
    const monthAgo = new Date(now.getTime() - 30 * 86_400_000);
    await setLotExpiration(NDC, 'AA1001', addDays(today, 100), monthAgo, 'admin');
    await setLotExpiration(NDC, 'AA1001', addDays(today, 200), now, 'admin');
    await setLotExpiration(NDC, 'BB2002', addDays(today, 5), monthAgo, 'admin');
    await setLotExpiration(NDC, 'CC3003', '2021-03-01', monthAgo, 'admin');
    await setBeyondUseDate(s1.iis_id, NDC, 'BB2002', '2021-03-05', monthAgo);

    await receipt(s1.iis_id, 'R1', 'AA1001', 100);
    await receipt(s1.iis_id, 'R2', 'BB2002', 50);
    await receipt(s1.iis_id, 'R3', 'CC3003', 20);
    await receipt(s2.iis_id, 'R4', 'AA1001', 30);
    await receipt(s2.iis_id, 'T1', 'AA1001', 10, s1.iis_id); // a transfer from s1

    await post(modernaDose({ vax_event_id: 'G1', lot_number: 'AA1001' }));
    await post(modernaDose({ vax_event_id: 'G2', recip_id: 'P2', lot_number: 'AA1001' }));
    const moved = await api.call('PUT', '/v1/doses/G2', {
      key: s1.api_key,
      headers: { 'if-match': '"1"' },
      body: modernaDose({ vax_event_id: 'G2', recip_id: 'P2', lot_number: 'BB2002' }),
    });
    expect(moved.status).toBe(200);
    await post(modernaDose({ vax_event_id: 'G3', recip_id: 'P3', lot_number: 'AA1001' }));
    expect(
      (await api.call('DELETE', '/v1/doses/G3', { key: s1.api_key, headers: { 'if-match': '"1"' } })).status,
    ).toBe(200);
    await post(modernaDose({ vax_event_id: 'G4', recip_id: 'P4', lot_number: 'CC3003' }));
    await post(refusalDose({ vax_event_id: 'G5', recip_id: 'P5' }));

    await waste('W1', 'AA1001', 3, 'temperature-too-warm');
    await waste('W2', 'AA1001', 2, 'broken-or-dropped');
    await waste('W3', 'BB2002', 1, 'drawn-not-administered');
    await waste('W4', 'CC3003', 5, 'expired');
    await waste('W5', 'AA1001', 1, 'other', 'Vial rolled behind the refrigerator');

    const result = await runRollup(today, reports, () => now);
    expect(result.days.at(-1)).toBe(today);

    const stock = JSON.parse(await reports.get(reportKey(today, 'stock.json')));
    const brief = stock.map((r: Record<string, unknown>) => [
      r.iis_id,
      r.lot_number,
      r.on_hand_start,
      r.received,
      r.transferred_out,
      r.administered,
      r.wasted,
      r.expired_spoiled,
      r.on_hand,
    ]);
    expect(brief).toEqual(
      [
        [s1.iis_id, 'AA1001', 0, 100, 10, 1, 3, 3, 83],
        [s1.iis_id, 'BB2002', 0, 50, 0, 1, 1, 0, 48],
        [s1.iis_id, 'CC3003', 0, 20, 0, 1, 0, 5, 14],
        [s2.iis_id, 'AA1001', 0, 40, 0, 0, 0, 0, 40],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const aa = stock.find(
      (r: { iis_id: string; lot_number: string }) => r.iis_id === s1.iis_id && r.lot_number === 'AA1001',
    );
    expect(aa.losses).toMatchObject({
      'temperature-too-warm': 3,
      'broken-or-dropped': 2,
      other: 1,
      expired: 0,
    });

    const expiring = JSON.parse(await reports.get(reportKey(today, 'expiring.json')));
    expect(
      expiring.map((r: Record<string, unknown>) => [
        r.iis_id,
        r.lot_number,
        r.status,
        r.days_left,
        r.on_hand,
      ]),
    ).toEqual([
      [s1.iis_id, 'CC3003', 'expired', expect.any(Number), 14],
      [s1.iis_id, 'BB2002', 'within-7', 5, 48],
    ]);

    const errors = JSON.parse(await reports.get(reportKey(today, 'admin-errors.json')));
    expect(
      errors.map((r: Record<string, unknown>) => [r.vax_event_id, r.version, r.lot_number, r.problem]),
    ).toEqual([
      ['G2', 2, 'BB2002', 'on-or-after-beyond-use-date'],
      ['G4', 1, 'CC3003', 'on-or-after-expiration'],
    ]);

    const totals = JSON.parse(await reports.get(reportKey(today, 'totals.json')));
    const t = (by: string, key: string) =>
      totals.find((r: { by: string; key: string }) => r.by === by && r.key === key);
    expect(t('county', '06067')).toMatchObject({
      received: 170,
      transferred_out: 10,
      administered: 3,
      wasted: 4,
      expired_spoiled: 8,
      on_hand: 145,
    });
    expect(t('county', '06077')).toMatchObject({ received: 40, administered: 0, on_hand: 40 });
    expect(t('registry', 'CAIR2')).toMatchObject({ received: 170, on_hand: 145 });
    expect(t('registry', 'RIDE')).toMatchObject({ received: 40, on_hand: 40 });

    const csv = await reports.get(reportKey(today, 'stock.csv'));
    expect(csv.split('\n')[0]).toContain('lost_temperature_too_warm');
    for (const name of REPORT_FILES)
      for (const ext of ['csv', 'json'])
        firstRun.set(`${name}.${ext}`, await reports.get(reportKey(today, `${name}.${ext}`)));
  });

  it('serves each site its own rows and the admin all of them', async () => {
    const mine = await api.call('GET', `/v1/reports/expiring?date=${today}&within=7`, { key: s1.api_key });
    expect(mine.status).toBe(200);
    expect(mine.json.rows.map((r: { lot_number: string }) => r.lot_number)).toEqual(['CC3003', 'BB2002']);
    const theirs = await api.call('GET', `/v1/reports/expiring?date=${today}`, { key: s2.api_key });
    expect(theirs.json.rows).toEqual([]);
    const other = await api.call('GET', `/v1/reports/wastage?date=${today}&iis_id=${s1.iis_id}`, {
      key: s2.api_key,
    });
    expect(other.status).toBe(403);
    const admin = await api.call('GET', `/v1/reports/wastage?date=${today}`);
    expect(admin.json.rows).toHaveLength(4);
    expect(admin.json.totals.length).toBeGreaterThan(0);
    const viaLink = await fetch(admin.json.files.csv);
    expect(viaLink.status).toBe(200);
    expect((await viaLink.text()).split('\n').filter(Boolean)).toHaveLength(5);
    const oneSite = await api.call('GET', `/v1/reports/wastage?date=${today}&iis_id=${s2.iis_id}`);
    expect(oneSite.json.rows.map((r: { iis_id: string }) => r.iis_id)).toEqual([s2.iis_id]);
    const errs = await api.call('GET', `/v1/reports/admin-errors?date=${today}`, { key: s1.api_key });
    expect(errs.json.rows.map((r: { vax_event_id: string }) => r.vax_event_id)).toEqual(['G2', 'G4']);
    const none = await api.call('GET', `/v1/reports/wastage?date=${addDays(today, -400)}`, {
      key: s1.api_key,
    });
    expect(none.status).toBe(404);
    const bad = await api.call('GET', '/v1/reports/wastage?date=yesterday', { key: s1.api_key });
    expect(bad.status).toBe(400);
  });

  it('drops a lot from the 7-day list once its expiry is extended, and leaves the earlier day’s report unchanged', async () => {
    const tomorrow = addDays(today, 1);
    const later = new Date(now.getTime() + 86_400_000);
    await setLotExpiration(NDC, 'BB2002', addDays(today, 65), later, 'admin');
    await runRollup(tomorrow, reports, () => later);
    const next = JSON.parse(await reports.get(reportKey(tomorrow, 'expiring.json')));
    expect(next.map((r: { lot_number: string }) => r.lot_number)).toEqual(['CC3003']);
    const carried = JSON.parse(await reports.get(reportKey(tomorrow, 'stock.json')));
    expect(
      carried.find(
        (r: { lot_number: string; iis_id: string }) => r.iis_id === s1.iis_id && r.lot_number === 'BB2002',
      ),
    ).toMatchObject({
      on_hand_start: 48,
      on_hand: 48,
    });

    const again = await runRollup(today, reports, () => new Date());
    expect(again.days).toEqual([today]);
    for (const [name, body] of firstRun) expect(await reports.get(reportKey(today, name))).toBe(body);
  });
});
