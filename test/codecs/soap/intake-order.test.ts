import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { issueKey } from '#sites/keys.ts';

/**
 * Issue 12, defect 6: POST /v1/iis parsed the whole body (up to 5 MB) before checking the caller and the size;
 * 5 MB of carriage returns took ~5 s and ~2 GB. Now the size is checked on the raw bytes, the caller on the
 * head of the message, and only then is it parsed.
 */
const SITE = 'SOAP-ORDER';
const key = issueKey();
const getKey = vi.fn(async (keyId: string) =>
  keyId === key.keyId ? { keyId, iis_id: SITE, hash: key.hash, status: 'active' as const } : undefined,
);
const receiveVxu = vi.fn(async () => ({
  ack: 'MSH|^~\\&|||||20210301||ACK^V04^ACK|1|P|2.5.1\rMSA|AA|1',
  ackCode: 'AA',
  errors: [],
  counts: { doses: 1, accepted: 1, rejected: 0, duplicate: 0 },
  rejections: [],
}));
vi.mock('#sites/store.ts', () => ({ getKey }));
vi.mock('#doses/vxu-intake.ts', () => ({ receiveVxu }));
vi.mock('#codecs/soap/cdc-iis.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('#codecs/soap/cdc-iis.ts')>();
  return { ...actual, parseSoapRequest: vi.fn(actual.parseSoapRequest) };
});

const cdc = await import('#codecs/soap/cdc-iis.ts');
const { handler } = await import('../../../functions/doses/soap.ts');
const { MAX_SOAP_BODY_BYTES, MAX_UNAUTHENTICATED_BYTES } = await import('#doses/soap-intake.ts');
const parse = vi.mocked(cdc.parseSoapRequest);

function event(
  body: string,
  contentType = cdc.soapContentType('submitSingleMessage'),
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/iis',
    rawPath: '/v1/iis',
    rawQueryString: '',
    headers: { 'content-type': contentType },
    requestContext: { requestId: 'r1', domainName: 'localhost' },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

/** A submitSingleMessage whose HL7 message is a short VXU followed by `padding` carriage returns. */
function message(password: string, padding: number, username = SITE): string {
  return cdc
    .buildSubmitSingleMessageRequest({
      username,
      password,
      facilityID: SITE,
      hl7Message: 'MSH|^~\\&|EHR|X|CAIR|CAIR|20210301||VXU^V04^VXU_V04|1|P|2.5.1',
    })
    .replace('</iis:hl7Message>', `${'\r'.repeat(padding)}</iis:hl7Message>`);
}

/** A message of exactly `bytes` bytes. */
function sized(password: string, bytes: number): string {
  const base = Buffer.byteLength(message(password, 0));
  return message(password, bytes - base);
}

async function call(body: string, contentType?: string) {
  const started = performance.now();
  const res = await handler(event(body, contentType));
  const ms = performance.now() - started;
  const text = typeof res === 'string' ? res : (res.body ?? '');
  const status = typeof res === 'string' ? 200 : res.statusCode;
  return { status, ms, soap: cdc.parseSoapResponse(text) };
}

beforeEach(() => {
  parse.mockClear();
  getKey.mockClear();
  receiveVxu.mockClear();
});

describe('POST /v1/iis: size, then caller, then parsing (issue 12, defect 6)', () => {
  it('refuses 5 MB of carriage returns with bad credentials by size, without parsing or looking up a key', async () => {
    const res = await call(message('cak_not-a-key', 5 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(res.soap).toMatchObject({
      kind: 'fault',
      fault: 'MessageTooLargeFault',
      maxSize: MAX_SOAP_BODY_BYTES,
    });
    expect(parse.mock.calls.length).toBe(0); // counts only: a failure must not print a megabyte argument
    expect(getKey.mock.calls.length).toBe(0);
    expect(res.ms).toBeLessThan(500);
  });

  it('refuses bad credentials on a message just under the limit without parsing it (was ~2 s and ~400 MB)', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const res = await call(sized(`${key.apiKey.slice(0, -2)}xx`, MAX_SOAP_BODY_BYTES));
    expect(res.status).toBe(400);
    expect(res.soap).toMatchObject({ kind: 'fault', fault: 'SecurityFault' });
    expect(parse.mock.calls.length).toBe(0); // counts only: a failure must not print a megabyte argument
    expect(receiveVxu.mock.calls.length).toBe(0);
    expect(res.ms).toBeLessThan(300);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a username that is not the key’s site without parsing', async () => {
    const res = await call(message(key.apiKey, 200_000, 'SOMEONE-ELSE'));
    expect(res.soap).toMatchObject({ kind: 'fault', fault: 'SecurityFault' });
    expect(parse.mock.calls.length).toBe(0); // counts only: a failure must not print a megabyte argument
  });

  it('answers an oversized message with good credentials with MessageTooLargeFault (413, Size and MaxSize)', async () => {
    const res = await call(sized(key.apiKey, MAX_SOAP_BODY_BYTES + 1));
    expect(res.status).toBe(413);
    expect(res.soap).toMatchObject({
      kind: 'fault',
      fault: 'MessageTooLargeFault',
      code: 'Sender',
      size: MAX_SOAP_BODY_BYTES + 1,
      maxSize: MAX_SOAP_BODY_BYTES,
    });
    expect(parse.mock.calls.length).toBe(0); // counts only: a failure must not print a megabyte argument
  });

  it('parses and takes a message of exactly the limit from an authenticated caller', async () => {
    const res = await call(sized(key.apiKey, MAX_SOAP_BODY_BYTES));
    expect(res.status).toBe(200);
    expect(res.soap).toMatchObject({ kind: 'ack' });
    expect(parse.mock.calls.length).toBe(1);
    expect(receiveVxu.mock.calls.length).toBe(1);
    expect((receiveVxu.mock.calls[0] as unknown[])[1]).toEqual({ role: 'site', iis_id: SITE });
  });

  it('takes a small message whose credentials follow hl7Message, as before (parsed, then authenticated)', async () => {
    const body = message(key.apiKey, 0).replace(
      /(<iis:username>.*<\/iis:facilityID>)(<iis:hl7Message>.*<\/iis:hl7Message>)/s,
      '$2$1',
    );
    expect(body.indexOf('hl7Message')).toBeLessThan(body.indexOf('username'));
    const res = await call(body);
    expect(res.soap).toMatchObject({ kind: 'ack' });
  });

  it('does not parse a large message whose credentials it cannot read from the head', async () => {
    const body = message(key.apiKey, 200_000).replace(
      /(<iis:username>.*<\/iis:facilityID>)(<iis:hl7Message>.*<\/iis:hl7Message>)/s,
      '$2$1',
    );
    const res = await call(body);
    expect(res.status).toBe(400);
    expect(res.soap).toMatchObject({ kind: 'fault', code: 'Sender' });
    expect(parse.mock.calls.length).toBe(0); // counts only: a failure must not print a megabyte argument
    expect(getKey.mock.calls.length).toBe(0);
  });

  it('takes connectivityTest unauthenticated only up to a small size', async () => {
    const small = await call(
      cdc.buildConnectivityTestRequest('ping'),
      cdc.soapContentType('connectivityTest'),
    );
    expect(small.soap).toEqual({ kind: 'echo', text: 'ping' });
    const big = await call(
      cdc.buildConnectivityTestRequest('x'.repeat(MAX_UNAUTHENTICATED_BYTES)),
      cdc.soapContentType('connectivityTest'),
    );
    expect(big.status).toBe(413);
    expect(big.soap).toMatchObject({ fault: 'MessageTooLargeFault', maxSize: MAX_UNAUTHENTICATED_BYTES });
    expect(parse.mock.calls.length).toBe(1);
  });

  it('answers a connectivityTest whose echoBack XML cannot carry with a Sender fault, not a 500 (found by fuzzing)', async () => {
    const body = cdc.buildConnectivityTestRequest('ping').replace('ping', 'pi\ud800ng');
    const res = await call(body, cdc.soapContentType('connectivityTest'));
    expect(res.status).toBe(400);
    expect(res.soap).toMatchObject({ kind: 'fault', code: 'Sender' });
  });

  it('reads credentials in CDATA on the head as the parser does (the two readings must agree)', async () => {
    const body = message(key.apiKey, 0).replace(
      `<iis:username>${SITE}</iis:username>`,
      `<iis:username><![CDATA[${SITE}]]></iis:username>`,
    );
    expect((await call(body)).soap).toMatchObject({ kind: 'ack' });
  });
});

describe('POST /v1/iis: a SOAP 1.1 envelope (issue 18: no request gets a 5xx)', () => {
  it("answers a VersionMismatch fault with 400, not the binding's 500: the mistake is the client's", async () => {
    // Found by the soap fuzz target: SOAP 1.2's HTTP binding maps VersionMismatch to 500, which fires our 5xx alarms.
    const body = message(key.apiKey, 0).replace(
      'http://www.w3.org/2003/05/soap-envelope',
      'http://schemas.xmlsoap.org/soap/envelope/',
    );
    const res = await call(body);
    expect(res.status).toBe(400);
    expect(res.soap).toMatchObject({ kind: 'fault', code: 'VersionMismatch' });
    expect(receiveVxu).not.toHaveBeenCalled();
  });
});

describe('readSoapHead', () => {
  const { readSoapHead } = cdc;
  const env = (body: string, extra = '') =>
    `<?xml version="1.0"?><s:Envelope xmlns:s="${cdc.SOAP12_ENV_NS}"${extra}><s:Body>${body}</s:Body></s:Envelope>`;

  it('reads the credentials as the parser does: any prefix, default namespace, unqualified, entities, CDATA, comments', () => {
    const xml = env(
      `<submitSingleMessage xmlns="${cdc.CDC_IIS_NS}"><username>A<!-- c -->B</username><password>p&amp;&#x41;<![CDATA[<x>]]></password><facilityID/><hl7Message>MSH</hl7Message></submitSingleMessage>`,
    );
    const head = readSoapHead(xml);
    expect(head).toEqual({
      operation: 'submitSingleMessage',
      username: 'AB',
      password: 'p&A<x>',
      facilityID: '',
    });
    const parsed = cdc.parseSoapRequest(xml);
    expect(parsed).toMatchObject({ username: 'AB', password: 'p&A<x>', facilityID: '' });
  });

  it('skips a SOAP Header and reads children in no namespace', () => {
    const xml = env(
      `<x:submitSingleMessage xmlns:x="${cdc.CDC_IIS_NS}"><username>U</username><password>P</password><facilityID>F</facilityID><hl7Message>`,
    ).replace(
      '<s:Body>',
      `<s:Header><x:submitSingleMessage xmlns:x="${cdc.CDC_IIS_NS}"><username>H</username></x:submitSingleMessage></s:Header><s:Body>`,
    );
    expect(readSoapHead(xml)).toEqual({
      operation: 'submitSingleMessage',
      username: 'U',
      password: 'P',
      facilityID: 'F',
    });
  });

  it('names connectivityTest and other operations', () => {
    expect(readSoapHead(cdc.buildConnectivityTestRequest('x'))).toEqual({ operation: 'connectivityTest' });
    expect(readSoapHead(env(`<i:submitBatch xmlns:i="${cdc.CDC_IIS_NS}"/>`))).toEqual({
      operation: 'unknown',
      name: 'submitBatch',
      namespace: cdc.CDC_IIS_NS,
    });
  });

  it('does not tell for what it cannot read from the head', () => {
    expect(readSoapHead('<not-soap')).toBeUndefined();
    expect(readSoapHead(`<e:Envelope xmlns:e="${cdc.SOAP11_ENV_NS}"><e:Body/></e:Envelope>`)).toBeUndefined();
    expect(readSoapHead(`<!DOCTYPE x>${env('')}`)).toBeUndefined();
    expect(readSoapHead(env('<u:submitSingleMessage>'))).toBeUndefined(); // undeclared prefix
    expect(
      readSoapHead(`${' '.repeat(cdc.SOAP_HEAD_CHARS)}${cdc.buildConnectivityTestRequest('x')}`),
    ).toBeUndefined();
  });

  it('stays linear on pathological input', () => {
    const started = performance.now();
    for (const junk of ['<'.repeat(200_000), `<a ${'b'.repeat(200_000)}`, `${env('')}${'"'.repeat(200_000)}`])
      readSoapHead(junk);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
