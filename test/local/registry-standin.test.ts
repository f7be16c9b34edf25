import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildVxu, cairFacilities, classifyAck, parseAck, type VxuInput } from '#codecs/hl7/index.ts';
import { buildConnectivityTestRequest, parseSoapResponse, soapContentType } from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { connectivityTest, type IisCredentials, submitSingleMessage } from '#registry/soap-client.ts';
import { type RegistryStandin, startRegistryStandin } from '../../local/standins/registry.ts';
import { ackText, judgeVxu } from '../../local/standins/registry-ack.ts';
import { registryPortsFromEnv, startLocalRegistries } from '../../local/standins/registry-local.ts';
import { demoSite, modernaDose, refusalDose } from '../fixtures/doses.ts';
import { waitFor } from './helpers.ts';

// ---- a realistic VXU: the demo site's Moderna dose, as the reporter would send it ---------------------------

const SENT_AT = new Date('2021-03-10T20:00:00Z');

/** `doseOverrides` with `undefined` values leave a field out of the message. */
function vxu(doseOverrides: Record<string, unknown> = {}, input: Partial<VxuInput> = {}): string {
  const dose = { ...modernaDose(doseOverrides), iis_id: demoSite.iis_id } as unknown as Dose;
  return buildVxu({
    messageControlId: 'MSG-0001',
    sentAt: SENT_AT,
    ...cairFacilities(demoSite.iis_id),
    receivingApplication: 'CAIR',
    receivingFacility: 'CAIRBA',
    processingId: 'P',
    action: 'A',
    // What the reporter sends with an administered dose (IZ-23), as shared/registry/vxu-input.ts does.
    vfcEligibility: 'V01',
    fundingSource: 'VXC50',
    dose,
    ...input,
  });
}

/** Replaces field `n` of the first `id` segment (numbered as the standard numbers them, MSH-1 included). */
function setField(hl7: string, id: string, n: number, v: string): string {
  return hl7
    .split('\r')
    .map((line) => {
      if (!line.startsWith(`${id}|`)) return line;
      const parts = line.split('|');
      const index = id === 'MSH' ? n - 1 : n;
      while (parts.length <= index) parts.push('');
      parts[index] = v;
      return parts.join('|');
    })
    .join('\r');
}

function withoutSegments(hl7: string, id: string): string {
  return hl7
    .split('\r')
    .filter((line) => !line.startsWith(`${id}|`))
    .join('\r');
}

const NO_ADDRESS = {
  recip_address_street: undefined,
  recip_address_city: undefined,
  recip_address_state: undefined,
  recip_address_zip: undefined,
  recip_address_county: undefined,
};

const where = (errors: readonly { location: string; code: string; severity: string }[]) =>
  errors.map((e) => `${e.location} ${e.code} ${e.severity}`);

describe('registry stand-in ACK rules', () => {
  it('AA for a complete administered dose, with its summary', () => {
    const j = judgeVxu(vxu(), { expectedReceivingFacility: 'CAIRBA' });
    expect(j.errors).toEqual([]);
    expect(j.ackCode).toBe('AA');
    expect(j.messageControlId).toBe('MSG-0001');
    expect(j.doses).toEqual([{ vax_event_id: 'EVT-0001', action: 'A', iis_id: 'CAIRDEMO01' }]);
  });

  it.each([
    ['PID-3 patient id', { recip_id: undefined }, 'PID^1^3 101 E'],
    ['PID-5.1 last name', { recip_last_name: undefined }, 'PID^1^5^1^1 101 E'],
    ['PID-5.2 first name', { recip_first_name: undefined }, 'PID^1^5^1^2 101 E'],
    ['PID-7 date of birth', { recip_dob: undefined }, 'PID^1^7 101 E'],
    ['RXA-3 admin date', { admin_date: undefined }, 'RXA^1^3 101 E'],
    ['RXA-5 vaccine', { cvx: undefined, ndc: undefined }, 'RXA^1^5 101 E'],
    ['RXA-15 lot', { lot_number: undefined }, 'RXA^1^15 101 E'],
    ['RXR for an administered dose', { vax_route: undefined, vax_admin_site: undefined }, 'RXR^1 100 E'],
  ])('AE with an E when %s is missing', (_what, overrides, expected) => {
    const j = judgeVxu(vxu(overrides));
    expect(j.ackCode).toBe('AE');
    expect(where(j.errors)).toContain(expected);
    expect(classifyAck(j)).toBe('rejected');
  });

  it('AE with only W for a dose without address or dose number: CAIR2 keeps it', () => {
    const j = judgeVxu(vxu({ ...NO_ADDRESS, dose_num: undefined }));
    expect(j.ackCode).toBe('AE');
    expect(where(j.errors)).toEqual(['PID^1^11 101 W', 'RXA^1 101 W']);
    expect(classifyAck(j)).toBe('accepted-with-warnings');
  });

  it('no lot, RXR or dose number needed for a refusal or a historical dose; a delete still needs its lot', () => {
    const bare = {
      lot_number: undefined,
      vax_route: undefined,
      vax_admin_site: undefined,
      dose_num: undefined,
    };
    expect(judgeVxu(vxu({ ...bare, vax_refusal: 'YES' })).ackCode).toBe('AA');
    expect(judgeVxu(vxu(bare, { informationSource: '01' })).ackCode).toBe('AA');
    // Z22 asks for the lot of a new administration (RXA-9 00) whatever RXA-21 says; our deletes carry it.
    expect(judgeVxu(vxu({ ...bare, lot_number: '039K20A' }, { action: 'D' })).ackCode).toBe('AA');
    expect(where(judgeVxu(vxu(bare, { action: 'D' })).errors)).toContain('RXA^1^15 101 E');
  });

  it.each([
    ['another profile', (m: string) => setField(m, 'MSH', 21, 'Z23^CDCPHINVS'), 'MSH^1^21 200 E'],
    ['an empty profile', (m: string) => setField(m, 'MSH', 21, ''), 'MSH^1^21 101 E'],
    ['Z22 of another authority', (m: string) => setField(m, 'MSH', 21, 'Z22^OTHER'), 'MSH^1^21 200 E'],
    ['processing ID D', (m: string) => setField(m, 'MSH', 11, 'D'), 'MSH^1^11 202 E'],
    ['a QBP', (m: string) => setField(m, 'MSH', 9, 'QBP^Q11^QBP_Q11'), 'MSH^1^9 200 E'],
    ['a VXU^V03', (m: string) => setField(m, 'MSH', 9, 'VXU^V03'), 'MSH^1^9 201 E'],
    ['version 2.3.1', (m: string) => setField(m, 'MSH', 12, '2.3.1'), 'MSH^1^12 203 E'],
  ])('AR for %s, answering only the header', (_what, change, expected) => {
    // The lot is missing too: an AR does not read the content, so it does not say so.
    const j = judgeVxu(change(vxu({ lot_number: undefined })));
    expect(j.ackCode).toBe('AR');
    expect(where(j.errors)).toEqual([expected]);
  });

  it.each([
    ['a sex outside HL7 0001', (m: string) => setField(m, 'PID', 8, 'X'), 'PID^1^8 103 E'],
    ['an amount that is not a number', (m: string) => setField(m, 'RXA', 6, 'half'), 'RXA^1^6 102 E'],
    [
      'a lot number over 20 characters',
      (m: string) => setField(m, 'RXA', 15, 'L'.repeat(21)),
      'RXA^1^15 102 E',
    ],
  ])('refuses what the Z22 profile refuses: %s', (_what, change, expected) => {
    const m = vxu();
    expect(judgeVxu(m).ackCode).toBe('AA');
    const j = judgeVxu(change(m));
    expect(j.ackCode).not.toBe('AA');
    expect(where(j.errors)).toContain(expected);
  });

  it('AR for a message addressed to another registry (MSH-6), when the registry knows its code', () => {
    const m = vxu({}, { receivingFacility: 'SDIR' });
    expect(judgeVxu(m).ackCode).toBe('AA');
    const j = judgeVxu(m, { expectedReceivingFacility: 'cairba' });
    expect(j.ackCode).toBe('AR');
    expect(where(j.errors)).toEqual(['MSH^1^6 103 E']);
  });

  it('AR for text that is no HL7 message', () => {
    const j = judgeVxu('hello');
    expect(j.ackCode).toBe('AR');
    expect(j.doses).toEqual([]);
  });

  it('AE when the PID or the RXR segment is missing altogether', () => {
    expect(where(judgeVxu(withoutSegments(vxu(), 'PID')).errors)).toContain('PID^1 100 E');
    expect(where(judgeVxu(withoutSegments(vxu(), 'RXR')).errors)).toEqual(['RXR^1 100 E']);
  });

  it('the ACK text carries MSA-1, MSA-2 and every ERR, readable by the reporter', () => {
    const j = judgeVxu(vxu({ lot_number: undefined, recip_address_street: undefined }));
    const text = ackText(j, { registryName: 'CAIR2', controlId: 'CAIR2-ACK-000001', sentAt: SENT_AT });
    const ack = parseAck(text);
    expect(ack.ackCode).toBe('AE');
    expect(ack.messageControlId).toBe('MSG-0001');
    expect(ack.controlId).toBe('CAIR2-ACK-000001');
    expect(ack.errors).toEqual(j.errors);
    expect(text.split('\r')[0]).toMatch(
      /^MSH\|\^~\\&\|CAIR\|CAIRBA\|\|CAIRDEMO01\|\d{14}-0800\|\|ACK\^V04\^ACK\|/,
    );
  });
});

// ---- the SOAP server -------------------------------------------------------------------------------------------

const CREDS: IisCredentials = { username: 'cair-user', password: 's3cret-pass', facilityID: demoSite.iis_id };

describe('registry stand-in over SOAP 1.2', () => {
  let cair2: RegistryStandin;
  const logLines: string[] = [];

  beforeAll(async () => {
    cair2 = await startRegistryStandin({
      name: 'CAIR2',
      credentials: CREDS,
      expectedReceivingFacility: 'CAIRBA',
      logger: (line) => logLines.push(line),
    });
  });
  afterAll(() => cair2?.stop());
  afterEach(() => {
    cair2.faults.clear();
    cair2.clearReceived();
  });

  const submit = (hl7: string, creds: IisCredentials = CREDS, timeoutMs = 2000) =>
    submitSingleMessage(cair2.endpoint, creds, hl7, { timeoutMs });

  async function ackOf(hl7: string) {
    const out = await submit(hl7);
    if (out.kind !== 'ack') throw new Error(`expected an ACK, got ${out.kind}`);
    return parseAck(out.hl7);
  }

  it('listens on loopback at /iis and serves the WSDL with its own address', async () => {
    expect(cair2.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/iis$/);
    const res = await fetch(`${cair2.endpoint}?wsdl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const wsdl = await res.text();
    expect(wsdl).toContain('targetNamespace="urn:cdc:iisb:2011"');
    expect(wsdl).toContain('submitSingleMessage');
    expect(wsdl).toContain(`location="${cair2.endpoint}"`);
  });

  it('connectivityTest echoes', async () => {
    expect(await connectivityTest(cair2.endpoint, 'ping 123', { timeoutMs: 2000 })).toEqual({
      kind: 'echo',
      text: 'ping 123',
    });
  });

  it('AA for a complete dose, and received() records what it got', async () => {
    const hl7 = vxu();
    const ack = await ackOf(hl7);
    expect(ack).toMatchObject({ ackCode: 'AA', messageControlId: 'MSG-0001', errors: [] });
    expect(classifyAck(ack)).toBe('accepted');

    const [got, ...rest] = cair2.received();
    expect(rest).toEqual([]);
    expect(got).toMatchObject({
      facilityID: demoSite.iis_id,
      hl7,
      parsed: {
        messageControlId: 'MSG-0001',
        doses: [{ vax_event_id: 'EVT-0001', action: 'A', iis_id: 'CAIRDEMO01' }],
      },
      errors: [],
      ackCode: 'AA',
    });
    expect(parseAck(got!.ack).ackCode).toBe('AA');
    expect(Date.parse(got!.at)).not.toBeNaN();
    expect(cair2.requests()).toMatchObject([
      { operation: 'submitSingleMessage', status: 200, outcome: 'AA' },
    ]);
  });

  it('received() returns copies', async () => {
    await ackOf(vxu());
    const first = cair2.received();
    first[0]!.parsed.doses[0]!.vax_event_id = 'CHANGED';
    first.length = 0;
    expect(cair2.received()[0]!.parsed.doses[0]!.vax_event_id).toBe('EVT-0001');
  });

  it('AE with an E at RXA^1^15 for a missing lot: rejected', async () => {
    const ack = await ackOf(vxu({ lot_number: undefined }));
    expect(ack.ackCode).toBe('AE');
    expect(ack.errors).toContainEqual(
      expect.objectContaining({ location: 'RXA^1^15', code: '101', severity: 'E' }),
    );
    expect(classifyAck(ack)).toBe('rejected');
    expect(cair2.received()[0]!.ackCode).toBe('AE');
  });

  it('AE with only W for a dose without address: accepted with warnings', async () => {
    const ack = await ackOf(vxu(NO_ADDRESS));
    expect(ack.ackCode).toBe('AE');
    expect(ack.errors).toEqual([expect.objectContaining({ location: 'PID^1^11', severity: 'W' })]);
    expect(classifyAck(ack)).toBe('accepted-with-warnings');
  });

  it('AR for a wrong MSH-21 profile', async () => {
    const ack = await ackOf(setField(vxu(), 'MSH', 21, 'Z23^CDCPHINVS'));
    expect(ack.ackCode).toBe('AR');
    expect(ack.errors).toEqual([expect.objectContaining({ location: 'MSH^1^21', severity: 'E' })]);
    expect(classifyAck(ack)).toBe('rejected');
  });

  it('AR for a message meant for another registry (MSH-6)', async () => {
    const ack = await ackOf(vxu({}, { receivingFacility: 'SDIR' }));
    expect(ack.ackCode).toBe('AR');
    expect(ack.errors[0]).toMatchObject({ location: 'MSH^1^6', code: '103' });
  });

  it('SecurityFault for a bad password or another facility, and nothing is recorded', async () => {
    for (const creds of [
      { ...CREDS, password: 'wrong' },
      { ...CREDS, username: 'someone' },
      { ...CREDS, facilityID: 'OTHERSITE' },
    ]) {
      expect(await submit(vxu(), creds)).toMatchObject({
        kind: 'fault',
        fault: 'SecurityFault',
        code: 'Sender',
      });
    }
    expect(cair2.received()).toEqual([]);
    expect(cair2.requests().map((r) => [r.status, r.outcome])).toEqual([
      [400, 'SecurityFault'],
      [400, 'SecurityFault'],
      [400, 'SecurityFault'],
    ]);
  });

  it('securityFault mode refuses even good credentials, until cleared', async () => {
    cair2.faults.set({ securityFault: true });
    expect(await submit(vxu())).toMatchObject({ kind: 'fault', fault: 'SecurityFault' });
    cair2.faults.clear();
    expect((await ackOf(vxu())).ackCode).toBe('AA');
  });

  it('wrongMsa2 mode judges as usual but names another message in MSA-2, until cleared', async () => {
    expect((await ackOf(vxu({}, { messageControlId: 'MSG-A' }))).messageControlId).toBe('MSG-A');
    cair2.faults.set({ wrongMsa2: true });
    const other = await ackOf(vxu({}, { messageControlId: 'MSG-B' }));
    expect(other).toMatchObject({ ackCode: 'AA', messageControlId: 'MSG-A' });
    cair2.faults.clear();
    expect((await ackOf(vxu({}, { messageControlId: 'MSG-C' }))).messageControlId).toBe('MSG-C');
  });

  it('knows a refusal by the ID in ORC-2, since its ORC-3.1 is 9999', async () => {
    await ackOf(vxu(refusalDose({ vax_event_id: 'REF-9' })));
    expect(cair2.received().at(-1)!.parsed.doses[0]!.vax_event_id).toBe('REF-9');
  });

  it('failNext(n): n answers of HTTP 500 (retry), then it recovers; only the delivered message is received', async () => {
    cair2.faults.failNext(2);
    expect(await submit(vxu())).toMatchObject({
      kind: 'retry',
      reason: expect.stringContaining('Receiver fault'),
    });
    expect(cair2.faults.current().failNext).toBe(1);
    cair2.faults.failNext(1, 'plain');
    expect(await submit(vxu())).toEqual({ kind: 'retry', reason: 'HTTP 500 from the registry' });
    expect((await ackOf(vxu())).ackCode).toBe('AA');
    expect(cair2.received()).toHaveLength(1);
    expect(cair2.requests().map((r) => [r.status, r.outcome])).toEqual([
      [500, 'http500'],
      [500, 'http500'],
      [200, 'AA'],
    ]);
  });

  it('http500 mode answers 500 (a Receiver fault or a plain body) while on', async () => {
    cair2.faults.set({ http500: true });
    const soap = await fetch(cair2.endpoint, {
      method: 'POST',
      headers: { 'content-type': soapContentType('connectivityTest') },
      body: buildConnectivityTestRequest('x'),
    });
    expect(soap.status).toBe(500);
    expect(parseSoapResponse(await soap.text())).toMatchObject({
      kind: 'fault',
      fault: 'fault',
      code: 'Receiver',
    });
    cair2.faults.set({ http500: 'plain' });
    expect(await submit(vxu())).toMatchObject({ kind: 'retry' });
    expect(cair2.received()).toEqual([]);
  });

  it('timeout: no answer, the client gives up (retry) and nothing is recorded; cleared, it answers again', async () => {
    cair2.faults.set({ timeout: true });
    const started = Date.now();
    const out = await submit(vxu(), CREDS, 150);
    expect(out).toEqual({ kind: 'retry', reason: 'no complete response within 150 ms' });
    expect(Date.now() - started).toBeLessThan(1500);
    await waitFor(() => cair2.requests().length === 1, 2000, 'the stand-in to see the client go');
    cair2.faults.clear();
    expect((await ackOf(vxu())).ackCode).toBe('AA');
    expect(cair2.received()).toHaveLength(1);
    expect(cair2.requests().map((r) => r.outcome)).toEqual(['client-closed', 'AA']);
  });

  it('a request held by timeout goes on when the faults are cleared', async () => {
    cair2.faults.set({ timeout: true });
    const pending = submit(vxu(), CREDS, 3000);
    await new Promise((r) => setTimeout(r, 50));
    expect(cair2.received()).toEqual([]);
    cair2.faults.clear();
    expect(await pending).toMatchObject({ kind: 'ack' });
    expect(cair2.received()).toHaveLength(1);
  });

  it('latencyMs delays the answer', async () => {
    cair2.faults.set({ latencyMs: 120 });
    const started = Date.now();
    expect((await ackOf(vxu())).ackCode).toBe('AA');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('answers SOAP 1.1 with VersionMismatch and an unknown operation with UnsupportedOperationFault', async () => {
    const soap11 = await fetch(cair2.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>',
    });
    expect(soap11.status).toBe(500);
    expect(parseSoapResponse(await soap11.text())).toMatchObject({ kind: 'fault', code: 'VersionMismatch' });

    const unknown = await fetch(cair2.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/soap+xml' },
      body: buildConnectivityTestRequest('x').replaceAll('connectivityTest', 'submitBatch'),
    });
    expect(unknown.status).toBe(400);
    expect(parseSoapResponse(await unknown.text())).toMatchObject({
      kind: 'fault',
      fault: 'UnsupportedOperationFault',
    });
  });

  it('switches faults and shows what it received over HTTP, without message text', async () => {
    const control = `${cair2.endpoint.replace(/\/iis$/, '')}/_standin`;
    let res = await fetch(`${control}/faults`, { method: 'PUT', body: JSON.stringify({ failNext: 1 }) });
    expect(await res.json()).toEqual({ failNext: 1 });
    expect(await submit(vxu())).toMatchObject({ kind: 'retry' });
    res = await fetch(`${control}/faults`, { method: 'PUT', body: JSON.stringify({ timeout: 'yes' }) });
    expect(res.status).toBe(400);
    await ackOf(vxu());
    res = await fetch(`${control}/received`);
    const body = (await res.json()) as { name: string; received: Record<string, unknown>[] };
    expect(body.name).toBe('CAIR2');
    expect(body.received).toHaveLength(1);
    expect(body.received[0]).toMatchObject({ ackCode: 'AA', parsed: { messageControlId: 'MSG-0001' } });
    expect(body.received[0]).not.toHaveProperty('hl7');
    expect(body.received[0]).not.toHaveProperty('ack');
    res = await fetch(`${control}/faults`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ failNext: 0 });
  });

  it('never logs message content', () => {
    expect(logLines.length).toBeGreaterThan(5);
    const text = logLines.join('\n');
    for (const phi of ['Gonzalez', 'Maria', 'PAT-1001', '19580722', '1200 Broadway', 'EVT-0001', 's3cret']) {
      expect(text).not.toContain(phi);
    }
    expect(logLines).toContain('[registry CAIR2] submitSingleMessage → AA (HTTP 200)');
  });
});

describe('registry stand-ins side by side', () => {
  it('each keeps its own messages, and stop() ends a request held by timeout', async () => {
    const ride = await startRegistryStandin({ name: 'RIDE', credentials: { username: 'r', password: 'p' } });
    const sdir = await startRegistryStandin({ name: 'SDIR', credentials: { username: 's', password: 'p' } });
    try {
      const out = await submitSingleMessage(
        ride.endpoint,
        { username: 'r', password: 'p', facilityID: 'X' },
        vxu(),
      );
      expect(out.kind).toBe('ack');
      expect(ride.received()).toHaveLength(1);
      expect(sdir.received()).toEqual([]);
      // With no facilityID configured, any facilityID is taken; ACK MSH-3 is the message's MSH-5.
      expect(ride.received()[0]!.ack.startsWith('MSH|^~\\&|CAIR|CAIRBA|')).toBe(true);

      sdir.faults.set({ timeout: true });
      const pending = submitSingleMessage(
        sdir.endpoint,
        { username: 's', password: 'p', facilityID: 'X' },
        vxu(),
        {
          timeoutMs: 3000,
        },
      );
      await new Promise((r) => setTimeout(r, 50));
      await sdir.stop();
      expect(await pending).toMatchObject({ kind: 'retry' });
      expect(sdir.received()).toEqual([]);
    } finally {
      await ride.stop();
      await sdir.stop();
    }
  });
});

describe('the local registries npm start runs', () => {
  it('start CAIR2, RIDE and SDIR with the REGISTRY_CREDENTIALS the reporter reads, each with its MSH-6', async () => {
    const local = await startLocalRegistries();
    try {
      const secret = JSON.parse(local.secretValue) as Record<string, IisCredentials & { endpoint: string }>;
      expect(Object.keys(secret)).toEqual(['CAIR2', 'RIDE', 'SDIR']);
      for (const [name, region] of [
        ['CAIR2', 'CAIRBA'],
        ['RIDE', 'RIDE'],
        ['SDIR', 'SDIR'],
      ] as const) {
        const creds = secret[name]!;
        expect(creds.endpoint).toBe(local.standins[name].endpoint);
        const out = await submitSingleMessage(creds.endpoint, creds, vxu({}, { receivingFacility: region }));
        expect(out.kind === 'ack' && parseAck(out.hl7).ackCode).toBe('AA');
        expect(local.standins[name].received()).toHaveLength(1);
      }
      // A dose routed to the wrong registry is refused by it, not silently kept.
      const sdir = secret.SDIR!;
      const wrong = await submitSingleMessage(sdir.endpoint, sdir, vxu({}, { receivingFacility: 'CAIRBA' }));
      expect(wrong.kind === 'ack' && parseAck(wrong.hl7).ackCode).toBe('AR');
    } finally {
      await local.stop();
    }
  });

  it('read fixed ports from CAIR2_STANDIN_PORT, RIDE_STANDIN_PORT and SDIR_STANDIN_PORT', () => {
    expect(
      registryPortsFromEnv({ CAIR2_STANDIN_PORT: '3101', RIDE_STANDIN_PORT: '', SDIR_STANDIN_PORT: '3103' }),
    ).toEqual({
      CAIR2: 3101,
      SDIR: 3103,
    });
    expect(() => registryPortsFromEnv({ RIDE_STANDIN_PORT: 'abc' })).toThrow(/RIDE_STANDIN_PORT/);
  });
});
