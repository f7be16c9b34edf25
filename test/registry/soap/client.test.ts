import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildConnectivityTestResponse,
  buildFault,
  buildSubmitSingleMessageResponse,
  parseSoapRequest,
  SOAP11_ENV_NS,
  SOAP12_CONTENT_TYPE,
} from '#codecs/soap/cdc-iis.ts';
import { connectivityTest, submitSingleMessage } from '#registry/soap-client.ts';

// Markers that must never show up in a retry reason.
const PATIENT = 'ZZSECRETPATIENT';
const PASSWORD = 'hunter2&<pw>';
const VXU = `MSH|^~\\&|EHR|SITE1|CAIR IIS|CAIRBA|20240105||VXU^V04^VXU_V04|MSG0001|P|2.5.1\rPID|1||PT1^^^SITE1^MR||${PATIENT}^Pat\rRXA|0|1|20240105||208^Pfizer^CVX|0.3\r`;
const ACK = 'MSH|^~\\&|CAIR IIS|CAIRBA|EHR|SITE1|20240105||ACK^V04^ACK|A1|P|2.5.1\rMSA|AA|MSG0001\r';
const creds = { username: 'site1', password: PASSWORD, facilityID: 'SITE1' };
const TIMEOUT_MS = 300;

const SOAP = { 'content-type': SOAP12_CONTENT_TYPE };

interface Received {
  contentType: string | undefined;
  body: string;
}

let server: Server;
let base: string;
const received: Received[] = [];
const timers = new Set<NodeJS.Timeout>();

function later(ms: number, fn: () => void) {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
}

// One route per behaviour a registry (or what sits in front of it) has been seen to show.
const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
  '/ack': (_req, res) => res.writeHead(200, SOAP).end(buildSubmitSingleMessageResponse(ACK)),
  '/echo': (_req, res, body) => {
    const parsed = parseSoapRequest(body);
    res
      .writeHead(200, SOAP)
      .end(buildConnectivityTestResponse(parsed.operation === 'connectivityTest' ? parsed.echoBack : ''));
  },
  // An error page that echoes the request, as some stacks do.
  '/500': (_req, res, body) =>
    res.writeHead(500, { 'content-type': 'text/html' }).end(`<html><pre>${body}</pre></html>`),
  '/503': (_req, res) => res.writeHead(503, { 'retry-after': '7' }).end('Service Unavailable'),
  '/429': (_req, res) => res.writeHead(429).end(),
  '/slow': (_req, res) =>
    later(TIMEOUT_MS * 5, () => res.writeHead(200, SOAP).end(buildSubmitSingleMessageResponse(ACK))),
  '/stall-body': (_req, res) => {
    res.writeHead(200, SOAP);
    res.write('<?xml version="1.0"?>');
    later(TIMEOUT_MS * 5, () => res.end());
  },
  '/security': (_req, res) =>
    res.writeHead(400, SOAP).end(buildFault('SecurityFault', 'Invalid username or password')),
  '/security-500': (_req, res) =>
    res.writeHead(500, SOAP).end(buildFault('SecurityFault', 'Invalid username or password')),
  '/too-large': (_req, res) =>
    res
      .writeHead(400, SOAP)
      .end(buildFault('MessageTooLargeFault', 'Too large', { detail: 'max 1 MB', size: 2, maxSize: 1 })),
  '/receiver-fault': (_req, res) =>
    res.writeHead(500, SOAP).end(buildFault('fault', `database down; was processing ${PATIENT}`)),
  '/sender-fault': (_req, res) =>
    res.writeHead(400, SOAP).end(buildFault('fault', 'hl7Message is empty', { code: 'Sender' })),
  '/html-200': (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>'),
  '/text-200': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK ${PATIENT}`),
  '/soap11': (_req, res) =>
    res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(`<e:Envelope xmlns:e="${SOAP11_ENV_NS}"><e:Body><r>${PATIENT}</r></e:Body></e:Envelope>`),
  '/empty-ack': (_req, res) => res.writeHead(200, SOAP).end(buildSubmitSingleMessageResponse('')),
  '/401': (_req, res) => res.writeHead(401, { 'www-authenticate': 'Basic' }).end(),
  '/413': (_req, res) => res.writeHead(413).end(),
  '/404': (_req, res) => res.writeHead(404).end('Not Found'),
  '/redirect': (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end(),
  '/reset': (req) => req.socket.destroy(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ contentType: req.headers['content-type'], body });
      const route = routes[req.url ?? ''];
      if (route) route(req, res, body);
      else res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const t of timers) clearTimeout(t);
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const submit = (path: string) => submitSingleMessage(`${base}${path}`, creds, VXU, { timeoutMs: TIMEOUT_MS });

function expectRetry(outcome: Awaited<ReturnType<typeof submit>>, reason: RegExp) {
  expect(outcome.kind).toBe('retry');
  if (outcome.kind !== 'retry') return;
  expect(outcome.reason).toMatch(reason);
  expect(outcome.reason).not.toContain(PATIENT);
  expect(outcome.reason).not.toContain('hunter2');
}

describe('submitSingleMessage client', () => {
  it('returns the ACK, having sent a SOAP 1.2 request whose HL7 kept its CRs', async () => {
    // Act
    const outcome = await submit('/ack');

    // Assess
    expect(outcome).toEqual({ kind: 'ack', hl7: ACK });
    const sent = received.at(-1)!;
    expect(sent.contentType).toBe(
      'application/soap+xml; charset=utf-8; action="urn:cdc:iisb:2011:submitSingleMessage"',
    );
    expect(parseSoapRequest(sent.body)).toEqual({
      operation: 'submitSingleMessage',
      ...creds,
      hl7Message: VXU,
    });
    // As references, not raw: a Java or .NET registry would read a raw CR as LF.
    expect(sent.body).not.toContain('\r');
    expect(sent.body.match(/&#13;/g)).toHaveLength(3);
  });

  it('retries on HTTP 500 without repeating the echoed message', async () => {
    expectRetry(await submit('/500'), /^HTTP 500 from the registry$/);
  });

  it('retries on HTTP 503 and passes Retry-After on', async () => {
    // Act
    const outcome = await submit('/503');

    // Assess
    expectRetry(outcome, /HTTP 503/);
    expect(outcome).toMatchObject({ retryAfterMs: 7000 });
  });

  it('retries on HTTP 429', async () => {
    expectRetry(await submit('/429'), /HTTP 429/);
  });

  it('retries when the registry answers after the timeout', async () => {
    // The server would answer with an ACK at 5× the timeout, so a retry proves the timeout fired.
    expectRetry(await submit('/slow'), /no complete response within 300 ms/);
  });

  it('retries when the body stalls after the headers', async () => {
    expectRetry(await submit('/stall-body'), /no complete response within 300 ms/);
  });

  it('reports a SecurityFault as a fault, whichever HTTP status carries it', async () => {
    for (const path of ['/security', '/security-500']) {
      // Act
      const outcome = await submit(path);

      // Assess
      expect(outcome).toEqual({
        kind: 'fault',
        fault: 'SecurityFault',
        code: 'Sender',
        reason: 'Invalid username or password',
      });
    }
  });

  it('reports a MessageTooLargeFault with its detail', async () => {
    expect(await submit('/too-large')).toEqual({
      kind: 'fault',
      fault: 'MessageTooLargeFault',
      code: 'Sender',
      reason: 'Too large',
      detail: 'max 1 MB',
    });
  });

  it('retries on a generic Receiver fault, without quoting the server', async () => {
    expectRetry(await submit('/receiver-fault'), /^registry answered a Receiver fault \(HTTP 500\)$/);
  });

  it('reports a generic Sender fault as a fault', async () => {
    expect(await submit('/sender-fault')).toEqual({
      kind: 'fault',
      fault: 'fault',
      code: 'Sender',
      reason: 'hl7Message is empty',
    });
  });

  it('retries on a 200 that is not XML, naming why', async () => {
    expectRetry(
      await submit('/text-200'),
      /^HTTP 200 but the response is not XML \(content-type text\/plain\)$/,
    );
  });

  it('retries on a 200 that is XML but not SOAP, or SOAP 1.1', async () => {
    expectRetry(await submit('/html-200'), /HTTP 200 but the response is XML but not a SOAP 1\.2 envelope/);
    expectRetry(await submit('/soap11'), /SOAP 1\.1 envelope/);
  });

  it('retries on an empty acknowledgement', async () => {
    expectRetry(await submit('/empty-ack'), /empty acknowledgement/);
  });

  it('treats HTTP 401 as refused credentials and HTTP 413 as too large', async () => {
    expect(await submit('/401')).toMatchObject({ kind: 'fault', fault: 'SecurityFault', code: 'HTTP 401' });
    expect(await submit('/413')).toMatchObject({
      kind: 'fault',
      fault: 'MessageTooLargeFault',
      code: 'HTTP 413',
    });
  });

  it('retries on a 404 and does not follow a redirect with the credentials', async () => {
    expectRetry(await submit('/404'), /HTTP 404 without a SOAP fault/);
    expectRetry(await submit('/redirect'), /HTTP 302 redirect/);
  });

  it('retries when the connection is reset', async () => {
    expectRetry(await submit('/reset'), /^connection failed: (ECONNRESET|UND_ERR_SOCKET|EPIPE)$/);
  });

  it('retries when the connection is refused', async () => {
    // Prepare: a port that was just listening and now is not.
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');

    // Act
    const outcome = await submitSingleMessage(`http://127.0.0.1:${port}/`, creds, VXU, {
      timeoutMs: TIMEOUT_MS,
    });

    // Assess
    expectRetry(outcome, /^connection failed: ECONNREFUSED$/);
  });

  it('uses the fetch it is given, and names a DNS failure by its code', async () => {
    // Prepare
    const failing = (async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${PATIENT}`), { code: 'ENOTFOUND' }),
      });
    }) as typeof fetch;

    // Act
    const outcome = await submitSingleMessage('https://registry.invalid/', creds, VXU, { fetch: failing });

    // Assess
    expectRetry(outcome, /^connection failed: ENOTFOUND$/);
  });

  it('throws, before any request, for a message XML cannot carry', async () => {
    // Prepare
    const before = received.length;

    // Act
    const call = submitSingleMessage(`${base}/ack`, creds, 'MSH|\u0000', { timeoutMs: TIMEOUT_MS });

    // Assess
    await expect(call).rejects.toThrow(/U\+0000/);
    expect(received.length).toBe(before);
  });
});

describe('connectivityTest client', () => {
  it('returns the echo', async () => {
    // Act
    const outcome = await connectivityTest(`${base}/echo`, 'hello & <bye>', { timeoutMs: TIMEOUT_MS });

    // Assess
    expect(outcome).toEqual({ kind: 'echo', text: 'hello & <bye>' });
    expect(received.at(-1)!.contentType).toContain('action="urn:cdc:iisb:2011:connectivityTest"');
  });

  it('retries when an ACK comes back instead of an echo', async () => {
    expect(await connectivityTest(`${base}/ack`, 'x', { timeoutMs: TIMEOUT_MS })).toEqual({
      kind: 'retry',
      reason: 'unexpected ack response to connectivityTest',
    });
  });
});
