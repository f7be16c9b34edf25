import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSubmitSingleMessageRequest, parseSoapResponse, soapContentType } from '#codecs/soap/cdc-iis.ts';
import { runFollowUp } from '#persons/follow-up.ts';
import { accessOn } from '#persons/store.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { type Client, client, drained, enroll, type Runtime, startWithout } from './harness.ts';
import { counties } from './registry-harness.ts';

/**
 * Issue 14's must-shows, end to end on the local stack: matching runs as the persons queue's consumer, the
 * record and search are the API's, the IIS query goes over SOAP, reminder/recall is the nightly run's.
 */

type Site = { iis_id: string; api_key: string };
const reports = bucketStore('REPORTS_BUCKET');

let rt: Runtime;
let api: Client;
let a: Site;
let b: Site;
let c: Site;

beforeAll(async () => {
  rt = await startWithout(['registryReporter', 'cdcStager']);
  api = client(rt);
  a = await enroll(api, { admin_name: 'Site A' });
  b = await enroll(api, { ...counties.sacramento, admin_name: 'Site B' });
  c = await enroll(api, { ...counties.sanDiego, admin_name: 'Site C' });
});
afterAll(async () => rt?.stop());

async function submit(site: Site, dose: Record<string, unknown>) {
  const res = await api.call('POST', '/v1/doses', { key: site.api_key, body: dose });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  expect(res.json.results[0].status, JSON.stringify(res.json.results[0])).toBe('accepted');
}

/** Matching is off the intake path: wait until the persons queue has been consumed. */
const matched = () => drained(rt, 'person-changes', 20_000);

let qbpSeq = 0;
function qbp(profile: 'Z34' | 'Z44', name: string, dob: string, sex = 'F'): string {
  qbpSeq++;
  const query =
    profile === 'Z34'
      ? 'Z34^Request Immunization History^CDCPHINVS'
      : 'Z44^Request Evaluated History and Forecast^CDCPHINVS';
  return [
    `MSH|^~\\&|EHR|${c.iis_id}|CAPIPELINE|CAPIPELINE|20261204120000||QBP^Q11^QBP_Q11|Q${qbpSeq}|P|2.5.1|||ER|AL|||||${profile}^CDCPHINVS`,
    `QPD|${query}|TAG${qbpSeq}||${name}||${dob}|${sex}`,
    'RCP|I|10^RD&Records&HL70126',
  ].join('\r');
}

async function query(site: Site, hl7: string): Promise<string[][]> {
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
  expect(res.status).toBe(200);
  const soap = parseSoapResponse(await res.text());
  if (soap.kind !== 'ack') throw new Error(`expected an HL7 answer, got ${soap.kind}`);
  return soap.hl7
    .split(/\r\n?|\n/)
    .filter(Boolean)
    .map((s) => s.split('|'));
}
const segments = (rsp: string[][], id: string) => rsp.filter((s) => s[0] === id);

describe('one record per person across sites (issue 14)', () => {
  const person = {
    recip_first_name: 'Teresa',
    recip_middle_name: 'Ann',
    recip_last_name: 'Villanueva',
    recip_dob: '1961-04-18',
    recip_sex: 'F',
    recip_address_street: '88 Magnolia Ave',
    recip_address_city: 'Oakland',
    recip_address_zip: '94610',
  };

  it('puts dose 1 at site A on its overdue list, links dose 2 from site B (another patient ID, a typo), and takes the person off it', async () => {
    await submit(
      a,
      modernaDose({ ...person, vax_event_id: 'A-1', recip_id: 'A-PAT-7', admin_date: '2021-03-10' }),
    );
    await matched();
    // Moderna dose 2 is due 28 days after dose 1; on 2021-05-15 it is overdue.
    const before = await runFollowUp(reports, '2021-05-15');
    expect(before.counts.overdue).toBeGreaterThanOrEqual(1);
    const listA = await api.call('GET', '/v1/reports/follow-up?date=2021-05-15&status=overdue', {
      key: a.api_key,
    });
    expect(listA.status).toBe(200);
    const row = listA.json.rows.find((r: { recip_id: string }) => r.recip_id === 'A-PAT-7');
    expect(row).toMatchObject({ status: 'overdue', next_dose: 2, due: '2021-04-07' });
    expect(row.earlier_doses).toContain(a.iis_id);

    await submit(
      b,
      modernaDose({
        ...person,
        recip_last_name: 'Villanueba',
        vax_event_id: 'B-9',
        recip_id: 'B-000311',
        admin_date: '2021-05-20',
        dose_num: '2',
        vax_series_complete: 'YES',
      }),
    );
    await matched();
    const search = await api.call('POST', '/v1/persons/search', {
      key: b.api_key,
      body: { first_name: 'Teresa', last_name: 'Villanueva', dob: '1961-04-18', sex: 'F' },
    });
    expect(search.json.match).toBe('one');
    const record = search.json.person;
    expect(record.doses.map((d: { iis_id: string }) => d.iis_id)).toEqual([a.iis_id, b.iis_id]);
    expect(record.forecast.status).toBe('complete');
    // Site B sees site A's dose but not A's own identifiers of it.
    expect(record.doses[0].vax_event_id).toBeUndefined();
    expect(record.doses[1].vax_event_id).toBe('B-9');

    await runFollowUp(reports, '2021-06-01');
    const after = await api.call('GET', '/v1/reports/follow-up?date=2021-06-01', { key: a.api_key });
    expect(after.json.rows.filter((r: { recip_id: string }) => r.recip_id === 'A-PAT-7')).toEqual([]);

    const z44 = await query(c, qbp('Z44', 'Villanueva^Teresa^Ann', '19610418'));
    expect(segments(z44, 'MSA')[0]![1]).toBe('AA');
    expect(segments(z44, 'QAK')[0]![2]).toBe('OK');
    // The doses given (the forecast block's RXA is CVX 998, "no vaccine administered").
    const given = segments(z44, 'RXA').filter((r) => !r[5]!.startsWith('998'));
    expect(given.map((r) => r[3])).toEqual(['20210310', '20210520']);
    expect(given.map((r) => r[11])).toEqual([`^^^${a.iis_id}`, `^^^${b.iis_id}`]);
    // Complete: nothing is due (no date-due observation).
    expect(segments(z44, 'OBX').some((o) => o[3]?.startsWith('30980-7'))).toBe(false);
  });

  it('answers NF and no data to a query that matches nobody, and logs it', async () => {
    const rsp = await query(c, qbp('Z34', 'Nobody^Nemo', '19990101', 'M'));
    expect(segments(rsp, 'QAK')[0]![2]).toBe('NF');
    expect(segments(rsp, 'PID')).toEqual([]);
    expect(segments(rsp, 'RXA')).toEqual([]);
  });

  it('discloses neither of two people with the same name and DOB until ZIP tells them apart', async () => {
    const jose = {
      recip_first_name: 'Jose',
      recip_last_name: 'Garcia',
      recip_dob: '1980-01-01',
      recip_sex: 'M',
    };
    await submit(
      a,
      modernaDose({
        ...jose,
        recip_middle_name: 'Antonio',
        recip_address_street: '12 Elm St',
        recip_address_city: 'Oakland',
        recip_address_zip: '94601',
        vax_event_id: 'A-J1',
        recip_id: 'A-J1',
      }),
    );
    await submit(
      c,
      modernaDose({
        ...jose,
        recip_middle_name: 'Luis',
        recip_address_street: '4410 Ocean View Blvd',
        recip_address_city: 'San Diego',
        recip_address_county: '06073',
        recip_address_zip: '92113',
        vax_event_id: 'C-J2',
        recip_id: 'C-J2',
      }),
    );
    await matched();
    const rsp = await query(b, qbp('Z34', 'Garcia^Jose', '19800101', 'M'));
    expect(['TM', 'NF']).toContain(segments(rsp, 'QAK')[0]![2]);
    expect(segments(rsp, 'PID')).toEqual([]);
    expect(segments(rsp, 'RXA')).toEqual([]);
    const bare = await api.call('POST', '/v1/persons/search', {
      key: b.api_key,
      body: { first_name: 'Jose', last_name: 'Garcia', dob: '1980-01-01', sex: 'M' },
    });
    expect(bare.json).toEqual({ match: 'several', message: expect.any(String) });
    const narrowed = await api.call('POST', '/v1/persons/search', {
      key: b.api_key,
      body: { first_name: 'Jose', last_name: 'Garcia', dob: '1980-01-01', sex: 'M', zip: '92113' },
    });
    expect(narrowed.json.match).toBe('one');
    expect(narrowed.json.person.doses).toHaveLength(1);
    expect(narrowed.json.person.doses[0].iis_id).toBe(c.iis_id);
  });

  it('holds every query in the access log: who, how, the outcome and whose record was disclosed', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const log = await accessOn(today);
    const soap = log.filter((e) => e.via === 'soap');
    const apiSearches = log.filter((e) => e.via === 'api' && e.what === 'search');
    // The Z44 (one), the nobody (none) and the two Joses (several): three queries, three entries.
    expect(soap.map((e) => e.outcome).sort()).toEqual(['none', 'one', 'several']);
    expect(soap.find((e) => e.outcome === 'one')).toMatchObject({ who: c.iis_id, what: 'qbp-z44' });
    expect(soap.filter((e) => e.outcome !== 'one').every((e) => e.persons.length === 0)).toBe(true);
    expect(apiSearches.map((e) => e.outcome)).toEqual(expect.arrayContaining(['one', 'several']));
    const disclosed = apiSearches.find((e) => e.outcome === 'one' && e.who === b.iis_id);
    expect(disclosed?.persons).toHaveLength(1);
    const admin = await api.call('GET', `/v1/persons/${disclosed!.persons[0]}/disclosures`);
    expect(admin.status).toBe(200);
    expect(admin.json.disclosures.length).toBeGreaterThanOrEqual(1);
  });
});
