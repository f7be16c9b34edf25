/** One registry stand-in over SOAP 1.2: the WSDL, ACKs, credentials, faults and what it keeps and logs. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyAck, parseAck } from '#codecs/hl7/index.ts';
import { buildConnectivityTestRequest, parseSoapResponse, soapContentType } from '#codecs/soap/cdc-iis.ts';
import { connectivityTest, type IisCredentials, submitSingleMessage } from '#registry/soap-client.ts';
import { type RegistryStandin, startRegistryStandin } from '../../local/standins/registry.ts';
import { demoSite, refusalDose } from '../fixtures/doses.ts';
import { waitFor } from './helpers.ts';
import { NO_ADDRESS, setField, vxu } from './registry-vxu.ts';

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
