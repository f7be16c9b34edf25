import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Action, buildVxu, cairFacilities, parseAck } from '#codecs/hl7/index.ts';
import {
  buildConnectivityTestRequest,
  buildSubmitSingleMessageRequest,
  parseSoapResponse,
  soapContentType,
} from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { drain, enroll, startWithSite } from './harness.ts';

const { rt, api, site } = await startWithSite();
let registryUrl: string;
let cdcUrl: string;
let seq = 0;

beforeAll(async () => {
  registryUrl = rt.env.REGISTRY_QUEUE_URL!;
  cdcUrl = rt.env.CDC_QUEUE_URL!;
  await drain(registryUrl);
  await drain(cdcUrl);
});

afterAll(async () => {
  await rt?.stop();
});

function vxu(dose: Record<string, unknown>, action: Action = 'A'): string {
  seq++;
  return buildVxu({
    messageControlId: `EHR-${seq}`,
    sentAt: new Date(),
    ...cairFacilities(site.iis_id),
    processingId: 'P',
    action,
    dose: { iis_id: site.iis_id, ...dose } as unknown as Dose,
  });
}

async function post(body: string, contentType = soapContentType('submitSingleMessage')) {
  const res = await fetch(`${rt.apiUrl}/v1/iis`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

async function submit(hl7: string, password = site.api_key) {
  const res = await post(
    buildSubmitSingleMessageRequest({
      username: site.iis_id,
      password,
      facilityID: site.iis_id,
      hl7Message: hl7,
    }),
  );
  return { ...res, soap: parseSoapResponse(res.text) };
}

function ackOf(soap: ReturnType<typeof parseSoapResponse>) {
  if (soap.kind !== 'ack') throw new Error(`expected an ACK, got ${soap.kind}`);
  return parseAck(soap.hl7);
}

describe('SOAP intake (CDC IIS WSDL)', () => {
  it('stores and reports a valid VXU and answers AA', async () => {
    // Act
    const res = await submit(vxu(modernaDose({ vax_event_id: 'SOAP-1' })));
    const read = await api.call('GET', '/v1/doses/SOAP-1', { key: site.api_key });
    // Assess
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/soap+xml');
    const ack = ackOf(res.soap);
    expect(ack.ackCode).toBe('AA');
    expect(ack.errors).toEqual([]);
    expect(ack.messageControlId).toBe(`EHR-${seq}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      vax_event_id: 'SOAP-1',
      iis_id: site.iis_id,
      version: 1,
      dose: { cvx: '207', ndc: '80777-0273-10', lot_number: '039K20A', recip_last_name: 'Gonzalez' },
    });
    const reg = (await drain(registryUrl)).filter((m) => m.vax_event_id === 'SOAP-1');
    const cdc = (await drain(cdcUrl)).filter((m) => m.vax_event_id === 'SOAP-1');
    expect(reg).toEqual([expect.objectContaining({ version: 1, action: 'A', iis_id: site.iis_id })]);
    expect(cdc).toHaveLength(1);
  });

  it('answers AE with an ERR at RXA^1^5 for a VXU without RXA-5, and stores nothing', async () => {
    const { cvx: _c, ndc: _n, ...dose } = modernaDose({ vax_event_id: 'SOAP-NO-RXA5' });
    const res = await submit(vxu(dose));
    const read = await api.call('GET', '/v1/doses/SOAP-NO-RXA5', { key: site.api_key });
    const ack = ackOf(res.soap);
    expect(ack.ackCode).toBe('AE');
    expect(ack.errors).toContainEqual(
      expect.objectContaining({ location: 'RXA^1^5', code: '101', severity: 'E' }),
    );
    expect(read.status).toBe(404);
    expect((await drain(registryUrl)).filter((m) => m.vax_event_id === 'SOAP-NO-RXA5')).toEqual([]);
  });

  it('places a rule finding at its HL7 location (admin date before birth → BUSR005 at PID^1^7, the date of birth)', async () => {
    const res = await submit(vxu(modernaDose({ vax_event_id: 'SOAP-BUSR', admin_date: '1950-01-01' })));
    const ack = ackOf(res.soap);
    expect(ack.ackCode).toBe('AE');
    expect(ack.errors.some((e) => e.location.startsWith('PID^1^7') && e.severity === 'E')).toBe(true);
    expect((await api.call('GET', '/v1/doses/SOAP-BUSR', { key: site.api_key })).status).toBe(404);
  });

  it('stores an update sent as RXA-21 U as version 2', async () => {
    const dose = modernaDose({ vax_event_id: 'SOAP-U' });
    expect(ackOf((await submit(vxu(dose))).soap).ackCode).toBe('AA');
    const res = await submit(vxu({ ...dose, lot_number: '041L20A' }, 'U'));
    const read = await api.call('GET', '/v1/doses/SOAP-U', { key: site.api_key });
    expect(ackOf(res.soap).ackCode).toBe('AA');
    expect(read.headers.get('etag')).toBe('"2"');
    expect(read.json).toMatchObject({ version: 2, action: 'U', dose: { lot_number: '041L20A' } });
    const reg = (await drain(registryUrl)).filter((m) => m.vax_event_id === 'SOAP-U');
    expect(reg.map((m) => m.action)).toEqual(['A', 'U']);
  });

  it("answers a delete of another site's dose as one of an ID never stored, whether or not it exists there (issue 12, defect 7)", async () => {
    const other = await enroll(api);
    for (const id of ['THEIRS-LIVE', 'THEIRS-GONE']) {
      const res = await api.call('POST', '/v1/doses', {
        key: other.api_key,
        body: modernaDose({ vax_event_id: id, iis_id: other.iis_id }),
      });
      expect(res.json).toMatchObject({ results: [{ vax_event_id: id, version: 1, issues: [] }] });
    }
    const gone = await api.call('DELETE', '/v1/doses/THEIRS-GONE', {
      key: other.api_key,
      headers: { 'if-match': '"1"' },
    });
    expect(gone.status).toBe(200);
    const answer = async (id: string) => {
      const ack = ackOf(
        (await submit(vxu(modernaDose({ vax_event_id: id, iis_id: other.iis_id }), 'D'))).soap,
      );
      return JSON.stringify({ code: ack.ackCode, errors: ack.errors }).replaceAll(id, '<id>');
    };
    const never = await answer('THEIRS-NEVER');
    expect(never).toContain('DOSE404');
    expect(await answer('THEIRS-LIVE')).toBe(never);
    expect(await answer('THEIRS-GONE')).toBe(never);
    const still = await api.call('GET', '/v1/doses/THEIRS-LIVE', { key: other.api_key });
    expect(still.json).toMatchObject({ deleted: false, version: 1 });
    await drain(registryUrl);
    await drain(cdcUrl);
  });

  it('answers a SecurityFault for a wrong password, and for another site name', async () => {
    const wrong = await submit(vxu(modernaDose({ vax_event_id: 'SOAP-SEC' })), 'cak_not-a-key');
    const other = await post(
      buildSubmitSingleMessageRequest({
        username: 'SOMEONE-ELSE',
        password: site.api_key,
        facilityID: '',
        hl7Message: vxu(modernaDose({ vax_event_id: 'SOAP-SEC' })),
      }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.soap).toMatchObject({ kind: 'fault', fault: 'SecurityFault' });
    expect(parseSoapResponse(other.text)).toMatchObject({ kind: 'fault', fault: 'SecurityFault' });
    expect((await api.call('GET', '/v1/doses/SOAP-SEC', { key: site.api_key })).status).toBe(404);
  });

  it('refuses 5 MB of carriage returns with bad credentials at once, and bad credentials under the limit without parsing (issue 12, defect 6)', async () => {
    const crs = (n: number, password: string) =>
      buildSubmitSingleMessageRequest({
        username: site.iis_id,
        password,
        facilityID: site.iis_id,
        hl7Message: 'MSH',
      }).replace('MSH', `MSH${'\r'.repeat(n)}`);
    let started = performance.now();
    const huge = await post(crs(5 * 1024 * 1024, 'cak_not-a-key'));
    expect(huge.status).toBe(413); // 10 MB once escaped: the gateway refuses it, as API Gateway would
    expect(performance.now() - started).toBeLessThan(2000);
    started = performance.now();
    const under = await post(crs(990_000, 'cak_not-a-key'));
    expect(under.status).toBe(400);
    expect(parseSoapResponse(under.text)).toMatchObject({ kind: 'fault', fault: 'SecurityFault' });
    expect(performance.now() - started).toBeLessThan(1000); // parsing it alone took ~2 s
  });

  it('echoes connectivityTest, and faults on malformed SOAP and unknown operations', async () => {
    const echo = await post(buildConnectivityTestRequest('ping'), soapContentType('connectivityTest'));
    const malformed = await post('<not-soap');
    const unknown = await post(
      buildConnectivityTestRequest('x').replaceAll('iis:connectivityTest>', 'iis:submitBatch>'),
    );
    expect(parseSoapResponse(echo.text)).toEqual({ kind: 'echo', text: 'ping' });
    expect(malformed.status).toBe(400);
    expect(parseSoapResponse(malformed.text)).toMatchObject({ kind: 'fault', code: 'Sender' });
    expect(parseSoapResponse(unknown.text)).toMatchObject({
      kind: 'fault',
      fault: 'UnsupportedOperationFault',
    });
  });

  it('serves the WSDL at GET /v1/iis', async () => {
    const res = await fetch(`${rt.apiUrl}/v1/iis`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('urn:cdc:iisb:2011');
    expect(text).toContain('/v1/iis"');
  });
});
