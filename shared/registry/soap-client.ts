/**
 * A client for the CDC IIS web service that turns every way a call can end into one of three outcomes the
 * registry reporter can act on:
 *
 * - `ack`: the registry answered with an HL7 acknowledgement (which may itself reject the message);
 * - `fault`: the registry gave a SOAP-level verdict; `SecurityFault` means the credentials were refused, so the
 *   caller should stop sending to that registry rather than fail message after message;
 * - `retry`: the registry gave no verdict on this message (HTTP 5xx/429, timeout, connection refused or reset, a
 *   body that is not a SOAP 1.2 response); send it again later.
 *
 * Reasons never quote the HL7 message or anything the server sent back for a `retry`: they end up in logs and
 * queue attributes, and error pages and stack traces have been known to echo a request.
 */
import {
  buildConnectivityTestRequest,
  buildSubmitSingleMessageRequest,
  type CdcFault,
  type CdcOperation,
  parseSoapResponse,
  SoapParseError,
  type SoapResponse,
  soapContentType,
} from '#codecs/soap/cdc-iis.ts';

export interface IisCredentials {
  username: string;
  password: string;
  facilityID: string;
}

export interface IisClientOptions {
  /** Whole-call budget, connection to last byte of the response. Default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface IisFault {
  kind: 'fault';
  fault: CdcFault;
  /** SOAP 1.2 env:Code (`Sender`, `Receiver`, …), or `HTTP <status>` when the verdict came from the status alone. */
  code: string;
  /** The registry's own words: meant for the dose's record, so it may name the problem in the message. */
  reason: string;
  detail?: string;
}

export interface IisRetry {
  kind: 'retry';
  reason: string;
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
}

export type SubmitOutcome = { kind: 'ack'; hl7: string } | IisFault | IisRetry;
export type ConnectivityOutcome = { kind: 'echo'; text: string } | IisFault | IisRetry;

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Sends one HL7 message with `submitSingleMessage` and classifies the answer. Never throws for transport trouble. */
export async function submitSingleMessage(
  endpoint: string,
  creds: IisCredentials,
  hl7: string,
  opts: IisClientOptions = {},
): Promise<SubmitOutcome> {
  // Built before any I/O: text XML cannot carry is the message's problem, and must throw rather than be retried.
  const body = buildSubmitSingleMessageRequest({ ...creds, hl7Message: hl7 });
  const outcome = await call(endpoint, 'submitSingleMessage', body, opts);
  if (outcome.kind !== 'response') return outcome;
  if (outcome.response.kind === 'ack') {
    // An empty return is no acknowledgement: nothing says the registry kept the message.
    if (outcome.response.hl7.trim() === '')
      return { kind: 'retry', reason: 'registry returned an empty acknowledgement' };
    return outcome.response;
  }
  return { kind: 'retry', reason: `unexpected ${outcome.response.kind} response to submitSingleMessage` };
}

/** Calls `connectivityTest`: proves the endpoint and TLS work without sending patient data. */
export async function connectivityTest(
  endpoint: string,
  echo: string,
  opts: IisClientOptions = {},
): Promise<ConnectivityOutcome> {
  const outcome = await call(endpoint, 'connectivityTest', buildConnectivityTestRequest(echo), opts);
  if (outcome.kind !== 'response') return outcome;
  if (outcome.response.kind === 'echo') return outcome.response;
  return { kind: 'retry', reason: `unexpected ${outcome.response.kind} response to connectivityTest` };
}

type CallOutcome =
  | IisFault
  | IisRetry
  | { kind: 'response'; response: Exclude<SoapResponse, { kind: 'fault' }> };

async function call(
  endpoint: string,
  operation: CdcOperation,
  body: string,
  opts: IisClientOptions,
): Promise<CallOutcome> {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const res = await doFetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': soapContentType(operation), accept: 'application/soap+xml, text/xml' },
      body,
      // The same signal bounds reading the body, so a server that stalls mid-response still times out.
      signal: AbortSignal.timeout(timeoutMs),
      // Following a redirect would resend the credentials to wherever it points.
      redirect: 'manual',
    });
    status = res.status;
    headers = res.headers;
    text = await res.text();
  } catch (err) {
    return { kind: 'retry', reason: transportReason(err, timeoutMs) };
  }

  let parsed: SoapResponse | undefined;
  let parseError: SoapParseError | undefined;
  try {
    parsed = parseSoapResponse(text);
  } catch (err) {
    if (!(err instanceof SoapParseError)) throw err;
    parseError = err;
  }

  // A SOAP 1.2 fault comes with 400 or 500 (Part 2 §7.5.2.2), so the body decides before the status does.
  if (parsed?.kind === 'fault') {
    const { fault, code, reason, detail } = parsed;
    // Only a generic Receiver fault says "not your message, try later" (Part 1 §5.4.6); the named CDC faults and
    // Sender faults are verdicts that resending the same bytes will not change.
    if (fault === 'fault' && code === 'Receiver') {
      return withRetryAfter(
        { kind: 'retry', reason: `registry answered a Receiver fault (HTTP ${status})` },
        headers,
      );
    }
    return detail === undefined
      ? { kind: 'fault', fault, code, reason }
      : { kind: 'fault', fault, code, reason, detail };
  }

  if (status >= 200 && status < 300) {
    if (parsed) return { kind: 'response', response: parsed };
    // Not a verdict: typically a proxy, gateway or maintenance page. A fault would record the registry as
    // having judged a message it may never have seen.
    return { kind: 'retry', reason: `HTTP ${status} but ${describeBody(parseError, headers)}` };
  }
  return classifyStatus(status, headers);
}

function classifyStatus(status: number, headers: Headers): IisFault | IisRetry {
  // Refused at the HTTP layer (a gateway in front of the registry, or basic auth) is still refused credentials,
  // and should stop the registry's sending the same way a SecurityFault does.
  if (status === 401 || status === 403) {
    return {
      kind: 'fault',
      fault: 'SecurityFault',
      code: `HTTP ${status}`,
      reason: `HTTP ${status} from the registry`,
    };
  }
  if (status === 413) {
    return {
      kind: 'fault',
      fault: 'MessageTooLargeFault',
      code: 'HTTP 413',
      reason: 'HTTP 413 from the registry',
    };
  }
  if (status >= 300 && status < 400) {
    return { kind: 'retry', reason: `HTTP ${status} redirect; the endpoint may have moved` };
  }
  if (status === 429) return withRetryAfter({ kind: 'retry', reason: 'HTTP 429 too many requests' }, headers);
  if (status >= 500)
    return withRetryAfter({ kind: 'retry', reason: `HTTP ${status} from the registry` }, headers);
  // Any other 4xx without a SOAP fault (404, 405, 415, a firewall's 400) is about the endpoint or a box in front
  // of it, not a verdict on this message: keep the message and let repeated failure pause the registry.
  return { kind: 'retry', reason: `HTTP ${status} without a SOAP fault` };
}

function describeBody(err: SoapParseError | undefined, headers: Headers): string {
  const type = (headers.get('content-type') ?? 'none').split(';')[0]!.trim().slice(0, 60);
  switch (err?.kind) {
    case 'malformed-xml':
      return `the response is not XML (content-type ${type})`;
    case 'version-mismatch':
      return 'the response is a SOAP 1.1 envelope, not SOAP 1.2';
    case 'not-soap':
      return `the response is XML but not a SOAP 1.2 envelope (content-type ${type})`;
    default:
      return 'the response body is not a response this service defines';
  }
}

function withRetryAfter(r: IisRetry, headers: Headers): IisRetry {
  const value = headers.get('retry-after');
  if (value === null) return r;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? { ...r, retryAfterMs: ms } : r;
}

/** Names the transport failure by error name and system code only; error messages can carry addresses and data. */
function transportReason(err: unknown, timeoutMs: number): string {
  const name = err instanceof Error ? err.name : typeof err;
  if (name === 'TimeoutError') return `no complete response within ${timeoutMs} ms`;
  if (name === 'AbortError') return 'request aborted';
  const code = errorCode(err);
  return code ? `connection failed: ${code}` : `request failed: ${name}`;
}

function errorCode(err: unknown): string | undefined {
  // fetch wraps the socket error in `cause`; happy-eyeballs connects wrap several in an AggregateError.
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const rec = e as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof rec.code === 'string') return rec.code;
    if (Array.isArray(rec.errors)) {
      const inner = rec.errors.map(errorCode).find((c) => c !== undefined);
      if (inner) return inner;
    }
    e = rec.cause;
  }
  return undefined;
}
