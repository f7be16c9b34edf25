/**
 * Stand-ins for the regional CAIR registries (CAIR2, RIDE, SDIR): each a real SOAP 1.2 server on 127.0.0.1 that
 * speaks the CDC IIS WSDL (`urn:cdc:iisb:2011`), checks the credentials, reads the VXU and answers an HL7 ACK the
 * way CAIR2 does (rules: registry-ack.ts). Faults can be switched on for tests and demos, and every message it
 * answered is kept in memory so a test or a person can see what each registry got.
 *
 * Routes:
 * - `GET  /iis?wsdl`: the WSDL, with this endpoint as the service address;
 * - `POST /iis`: SOAP 1.2 `connectivityTest` and `submitSingleMessage`;
 * - `GET  /_standin/received`: what it received, as JSON (summaries: no HL7 or ACK text);
 * - `GET|PUT|DELETE /_standin/faults`: read, set (a {@link FaultMode} JSON, plus `failNext`) or clear the faults.
 *
 * Nothing here logs message content: log lines name the registry, the operation and the outcome only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  buildConnectivityTestResponse,
  buildSubmitSingleMessageResponse,
  parseSoapRequest,
  type Soap12FaultCode,
  SoapEncodingError,
  SoapParseError,
} from '#codecs/soap/cdc-iis.ts';
import { cdcIisWsdl } from '#codecs/soap/cdc-iis.wsdl.ts';
import { listenLoopback, readBody } from '../listen.ts';
import type { Logger } from '../log.ts';
import { ackText, judgeVxu } from './registry-ack.ts';
import { createFaultState, parseFaultInput, waitOrClose } from './registry-faults.ts';
import { send, sendFault, sendJson, sendSoap, serverError } from './registry-replies.ts';
import type {
  ReceivedMessage,
  RegistryRequest,
  RegistryStandin,
  RegistryStandinOptions,
} from './registry-types.ts';

export type { ReceivedDose } from './registry-ack.ts';
export type {
  FaultMode,
  ReceivedMessage,
  RegistryCredentials,
  RegistryFaults,
  RegistryRequest,
  RegistryStandin,
  RegistryStandinOptions,
} from './registry-types.ts';

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_KEEP = 10_000;
/** Envelope, credentials and XML escaping around the largest message. */
const ENVELOPE_ALLOWANCE = 64 * 1024;

export async function startRegistryStandin(options: RegistryStandinOptions): Promise<RegistryStandin> {
  const { name, credentials } = options;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const maxBodyBytes = maxMessageBytes * 6 + ENVELOPE_ALLOWANCE; // `&#13;` for every CR, at worst
  const keep = options.keep ?? DEFAULT_KEEP;
  const log: Logger = options.logger ?? (() => {});
  const tag = `[registry ${name}]`;

  const state = createFaultState();
  const { faults, releaseHeld } = state;
  let received: ReceivedMessage[] = [];
  let requests: RegistryRequest[] = [];
  let ackSeq = 0;
  let stopped = false;
  let endpoint = '';

  const pushBounded = <T>(list: T[], item: T) => {
    list.push(item);
    if (list.length > keep) list.splice(0, list.length - keep);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`${tag} request failed: ${err instanceof Error ? err.name : 'Error'}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/iis') {
      if (req.method === 'GET' && [...url.searchParams.keys()].some((k) => k.toLowerCase() === 'wsdl')) {
        req.resume();
        return send(res, 200, 'text/xml; charset=utf-8', cdcIisWsdl(endpoint));
      }
      if (req.method === 'POST') return soap(req, res);
      req.resume();
      res.setHeader('allow', 'GET, POST');
      return send(res, 405, 'text/plain; charset=utf-8', 'POST SOAP 1.2 here, or GET ?wsdl\n');
    }
    if (url.pathname === '/_standin/received' && req.method === 'GET') {
      req.resume();
      const summary = received.map(({ hl7: _hl7, ack: _ack, ...rest }) => rest);
      return sendJson(res, 200, { name, received: summary });
    }
    if (url.pathname === '/_standin/faults') return faultControl(req, res);
    req.resume();
    return send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
  }

  async function faultControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      req.resume();
      return sendJson(res, 200, faults.current());
    }
    if (req.method === 'DELETE') {
      req.resume();
      faults.clear();
      return sendJson(res, 200, faults.current());
    }
    if (req.method === 'PUT' || req.method === 'POST') {
      const body = await readBody(req, 64 * 1024);
      let input: unknown;
      try {
        input = JSON.parse(body ?? '');
      } catch {
        return sendJson(res, 400, { message: 'send a JSON object' });
      }
      const parsed = parseFaultInput(input);
      if (typeof parsed === 'string') return sendJson(res, 400, { message: parsed });
      faults.set(parsed.mode);
      if (parsed.failNext !== undefined) faults.failNext(parsed.failNext, parsed.failNextBody);
      return sendJson(res, 200, faults.current());
    }
    req.resume();
    res.setHeader('allow', 'GET, PUT, POST, DELETE');
    return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
  }

  async function soap(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = () => new Date().toISOString();
    let gone = false;
    res.once('close', () => {
      if (!res.writableEnded) gone = true;
    });
    const note = (operation: RegistryRequest['operation'], status: number, outcome: string) => {
      pushBounded(requests, { at: at(), operation, status, outcome });
      log(`${tag} ${operation} → ${outcome} (HTTP ${status || 'none'})`);
    };

    const body = await readBody(req, maxBodyBytes);
    if (gone) return note('unreadable', 0, 'client-closed');
    if (body === undefined) {
      res.setHeader('connection', 'close');
      sendFault(res, 'MessageTooLargeFault', 'The request is larger than this registry accepts.', {
        maxSize: maxMessageBytes,
      });
      return note('unreadable', 400, 'MessageTooLargeFault');
    }

    // Faults, in the documented order.
    if (state.mode.latencyMs && state.mode.latencyMs > 0) {
      await waitOrClose(res, state.mode.latencyMs);
      if (gone || stopped) return note('unreadable', 0, 'client-closed');
    }
    if (state.mode.timeout) {
      await state.holdUntilCleared(res);
      // A client that gave up just before the clear may not have been seen closing yet: give its FIN a turn.
      await new Promise((resolve) => setImmediate(resolve));
      if (gone || stopped) return note('unreadable', 0, 'client-closed');
    }
    const failNextBody = state.takeFailNext();
    if (failNextBody) {
      serverError(res, failNextBody);
      return note('unreadable', 500, 'http500');
    }
    if (state.mode.http500) {
      serverError(res, state.mode.http500 === 'plain' ? 'plain' : 'soap');
      return note('unreadable', 500, 'http500');
    }

    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/soap+xml' && contentType !== 'text/xml') {
      send(res, 415, 'text/plain; charset=utf-8', 'Send SOAP 1.2 as application/soap+xml\n');
      return note('unreadable', 415, 'unsupported-media-type');
    }

    let request: ReturnType<typeof parseSoapRequest>;
    try {
      request = parseSoapRequest(body);
    } catch (err) {
      if (!(err instanceof SoapParseError)) throw err;
      const code: Soap12FaultCode = err.kind === 'version-mismatch' ? 'VersionMismatch' : 'Sender';
      const status = sendFault(res, 'fault', err.message, { code });
      return note('unreadable', status, code === 'VersionMismatch' ? 'VersionMismatch' : 'fault');
    }

    if (state.mode.securityFault) {
      const status = sendFault(res, 'SecurityFault', 'The registry refused the credentials.');
      return note(operationOf(request.operation), status, 'SecurityFault');
    }

    if (request.operation === 'unknown') {
      const status = sendFault(res, 'UnsupportedOperationFault', 'This operation is not supported.', {
        detail: 'Supported: connectivityTest, submitSingleMessage (namespace urn:cdc:iisb:2011).',
      });
      return note('unknown', status, 'UnsupportedOperationFault');
    }
    if (request.operation === 'connectivityTest') {
      sendSoap(res, 200, buildConnectivityTestResponse(request.echoBack));
      return note('connectivityTest', 200, 'echo');
    }

    // submitSingleMessage
    const credentialsOk =
      request.username === credentials.username &&
      request.password === credentials.password &&
      (credentials.facilityID === undefined || request.facilityID === credentials.facilityID);
    if (!credentialsOk) {
      const status = sendFault(res, 'SecurityFault', 'Invalid username, password or facilityID.');
      return note('submitSingleMessage', status, 'SecurityFault');
    }
    const size = Buffer.byteLength(request.hl7Message, 'utf8');
    if (size > maxMessageBytes) {
      const status = sendFault(res, 'MessageTooLargeFault', 'The HL7 message is too large.', {
        size,
        maxSize: maxMessageBytes,
      });
      return note('submitSingleMessage', status, 'MessageTooLargeFault');
    }

    const judgement = judgeVxu(request.hl7Message, {
      expectedReceivingFacility: options.expectedReceivingFacility,
    });
    const sentAt = new Date();
    ackSeq++;
    const ack = ackText(judgement, {
      registryName: name,
      controlId: `${name}-ACK-${String(ackSeq).padStart(6, '0')}`,
      sentAt,
      timeZone: options.timeZone,
      answers: state.mode.wrongMsa2 ? otherControlId(judgement.messageControlId) : undefined,
    });
    let envelope: string;
    try {
      envelope = buildSubmitSingleMessageResponse(ack);
    } catch (err) {
      // The ACK echoes MSH fields; text XML cannot carry is the sender's doing, but answer as a server fault.
      if (!(err instanceof SoapEncodingError)) throw err;
      const status = sendFault(res, 'fault', 'The acknowledgement could not be encoded.');
      return note('submitSingleMessage', status, 'fault');
    }
    pushBounded(received, {
      at: sentAt.toISOString(),
      facilityID: request.facilityID,
      hl7: request.hl7Message,
      parsed: { messageControlId: judgement.messageControlId, doses: judgement.doses },
      errors: judgement.errors,
      ack,
      ackCode: judgement.ackCode,
    });
    sendSoap(res, 200, envelope);
    return note('submitSingleMessage', 200, judgement.ackCode);
  }

  /** The latest message received with another control ID than this one (a resend keeps its ID), or none known. */
  function otherControlId(controlId: string): string {
    const other = received.findLast((m) => m.parsed.messageControlId !== controlId);
    return other?.parsed.messageControlId ?? `${name}-UNSOLICITED-${ackSeq}`;
  }

  const port = await listenLoopback(server, options.port ?? 0);
  endpoint = `http://127.0.0.1:${port}/iis`;

  let stopping: Promise<void> | undefined;
  return {
    name,
    endpoint,
    port,
    received: () => structuredClone(received),
    requests: () => structuredClone(requests),
    clearReceived() {
      received = [];
      requests = [];
    },
    faults,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        stopped = true;
        releaseHeld();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function operationOf(op: string): RegistryRequest['operation'] {
  return op === 'submitSingleMessage' || op === 'connectivityTest' ? op : 'unknown';
}
