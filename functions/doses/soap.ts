import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  buildConnectivityTestResponse,
  buildFault,
  buildSubmitSingleMessageResponse,
  type CdcFault,
  type CdcOperation,
  type FaultOptions,
  faultHttpStatus,
  parseSoapRequest,
  readSoapHead,
  SOAP_HEAD_CHARS,
  SOAP12_CONTENT_TYPE,
  type Soap12FaultCode,
  SoapEncodingError,
  SoapParseError,
  type SubmitSingleMessageRequest,
  soapContentType,
} from '#codecs/soap/cdc-iis.ts';
import { cdcIisWsdl } from '#codecs/soap/cdc-iis.wsdl.ts';
import { receiveVxu } from '#doses/vxu-intake.ts';
import { bodyBytes, MAX_BODY_BYTES } from '#platform/http/limits.ts';
import { errorName, logger } from '#platform/logger.ts';
import { hashSecret, parseKey, sameSecret } from '#sites/keys.ts';
import { getKey } from '#sites/store.ts';

type Result = APIGatewayProxyStructuredResultV2;

/** Largest HL7 message taken in one submitSingleMessage (UTF-8 bytes), as the registries take. */
export const MAX_HL7_BYTES = 1024 * 1024;

/**
 * Largest request (UTF-8 bytes as sent): the API's body limit, one AWS admits whatever the bytes
 * (shared/platform/http/limits.ts). It binds before {@link MAX_HL7_BYTES}: an HL7 message travels inside the envelope.
 */
export const MAX_SOAP_BODY_BYTES = MAX_BODY_BYTES;

/**
 * Largest request parsed before the caller is known. Parsing is the costly step (a megabyte of carriage
 * returns takes seconds and hundreds of megabytes), so a larger request is parsed only once the credentials
 * read from its head (shared/codecs/soap/cdc-iis.ts readSoapHead) have authenticated; connectivityTest, which has
 * none, is taken up to this size.
 */
export const MAX_UNAUTHENTICATED_BYTES = 16 * 1024;

/**
 * The CDC IIS SOAP web service (WSDL `urn:cdc:iisb:2011`) for EHRs: `GET /v1/iis` serves the WSDL, `POST /v1/iis`
 * takes SOAP 1.2 `connectivityTest` and `submitSingleMessage`. Public routes: the caller authenticates in the
 * body, username = the site's CAIR Org Code (iis_id), password = its API key.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<Result> => {
  if (event.routeKey === 'GET /v1/iis') return wsdl(event);
  if (event.routeKey === 'POST /v1/iis') {
    try {
      return await post(event);
    } catch (err) {
      // A Receiver fault: the sender may send the message again; stored doses are recognized as duplicates.
      logger.error('SOAP request failed', {
        error: errorName(err),
        requestId: event.requestContext.requestId,
      });
      return fault('fault', 'The message could not be processed now. Send it again later.');
    }
  }
  return { statusCode: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found\n' };
};

let wsdlBody: string | undefined;

function wsdl(event: APIGatewayProxyEventV2): Result {
  wsdlBody ??= cdcIisWsdl(`https://${event.requestContext.domainName}/v1/iis`);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/wsdl+xml; charset=utf-8',
      'cache-control': 'public, max-age=300',
    },
    body: wsdlBody,
  };
}

async function post(event: APIGatewayProxyEventV2): Promise<Result> {
  const media = (event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // text/xml is SOAP 1.1's media type; taken when the envelope inside is SOAP 1.2 (parsing checks that).
  if (media !== 'application/soap+xml' && media !== 'text/xml')
    return fault('fault', 'Send SOAP 1.2 with Content-Type application/soap+xml.', {
      code: 'Sender',
      status: 415,
    });
  // Size first, on the bytes as sent: nothing is decoded or parsed for a request over the limit.
  const raw = event.body ?? '';
  const bytes = bodyBytes(raw, event.isBase64Encoded);
  if (bytes > MAX_SOAP_BODY_BYTES)
    return fault('MessageTooLargeFault', `The request is larger than ${MAX_SOAP_BODY_BYTES} bytes.`, {
      size: bytes,
      maxSize: MAX_SOAP_BODY_BYTES,
      status: 413,
    });
  const xml = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;

  // Then who is calling, from the head of the request alone, before the costly parse. A small request whose
  // head does not authenticate (credentials after hl7Message, say) is parsed and authenticated as a whole.
  const head = readSoapHead(xml);
  let iisId = head?.operation === 'submitSingleMessage' ? await authenticate(head) : undefined;
  if (!iisId && bytes > MAX_UNAUTHENTICATED_BYTES) {
    if (head?.operation === 'submitSingleMessage') return securityFault();
    if (head?.operation === 'unknown') return unsupported();
    if (head?.operation === 'connectivityTest')
      return fault(
        'MessageTooLargeFault',
        `A connectivityTest is at most ${MAX_UNAUTHENTICATED_BYTES} bytes.`,
        { size: bytes, maxSize: MAX_UNAUTHENTICATED_BYTES, status: 413 },
      );
    return fault(
      'fault',
      `The request is not a SOAP 1.2 message this service understands: one over ${MAX_UNAUTHENTICATED_BYTES} bytes must name its operation, and submitSingleMessage its username, password and facilityID before hl7Message (as the WSDL orders them), within its first ${SOAP_HEAD_CHARS} characters.`,
      { code: 'Sender' },
    );
  }

  let request: ReturnType<typeof parseSoapRequest>;
  try {
    request = parseSoapRequest(xml);
  } catch (err) {
    if (!(err instanceof SoapParseError)) throw err;
    const code: Soap12FaultCode = err.kind === 'version-mismatch' ? 'VersionMismatch' : 'Sender';
    // SOAP 1.2's HTTP binding maps VersionMismatch to 500; we answer 400 with the same fault code. The mistake
    // is the client's (a SOAP 1.1 stack), our 5xx alarms must not fire on it, and no client retries a 400.
    return fault('fault', `The request is not a SOAP 1.2 message this service understands: ${err.message}.`, {
      code,
      status: 400,
    });
  }

  if (request.operation === 'unknown') return unsupported();
  if (request.operation === 'connectivityTest')
    return soap('connectivityTest', buildConnectivityTestResponse(request.echoBack));

  // Authenticated from the head, the parsed message must name the same caller: should the two readings ever
  // differ, the one that was checked is not the one that would be acted on.
  if (iisId && head?.operation === 'submitSingleMessage' && !sameCaller(head, request))
    return securityFault();
  iisId ??= await authenticate(request);
  if (!iisId) return securityFault();
  const size = Buffer.byteLength(request.hl7Message, 'utf8');
  if (size > MAX_HL7_BYTES)
    return fault('MessageTooLargeFault', 'The HL7 message is too large.', { size, maxSize: MAX_HL7_BYTES });

  const outcome = await receiveVxu(request.hl7Message, { role: 'site', iis_id: iisId }, new Date());
  // Counts and the ACK code only: the message and the ACK's texts are about a patient.
  logger.info('VXU received', {
    iis_id: iisId,
    ack: outcome.ackCode,
    errors: outcome.errors.length,
    ...outcome.counts,
  });
  try {
    return soap('submitSingleMessage', buildSubmitSingleMessageResponse(outcome.ack));
  } catch (err) {
    if (!(err instanceof SoapEncodingError)) throw err;
    return fault('fault', 'The acknowledgement could not be encoded.');
  }
}

type Credentials = Omit<SubmitSingleMessageRequest, 'hl7Message'>;

/**
 * The site whose active key the password is, if the username names that site and facilityID is that site or
 * empty. Lengths are checked before the key is looked up: an Org Code is at most 20 characters, a key far
 * less than 256.
 */
async function authenticate(c: Credentials): Promise<string | undefined> {
  const username = c.username.trim().toUpperCase();
  const facility = c.facilityID.trim().toUpperCase();
  const password = c.password.trim();
  if (username.length > 20 || facility.length > 20 || password.length > 256) return undefined;
  const parsed = parseKey(password);
  if (!parsed) return undefined;
  const key = await getKey(parsed.keyId);
  if (!key || !sameSecret(key.hash, hashSecret(parsed.secret)) || key.status !== 'active') return undefined;
  if (username !== key.iis_id || (facility !== '' && facility !== key.iis_id)) return undefined;
  return key.iis_id;
}

function sameCaller(a: Credentials, b: Credentials): boolean {
  return (
    a.username.trim().toUpperCase() === b.username.trim().toUpperCase() &&
    a.password.trim() === b.password.trim() &&
    a.facilityID.trim().toUpperCase() === b.facilityID.trim().toUpperCase()
  );
}

function securityFault(): Result {
  return fault('SecurityFault', 'Invalid username, password or facilityID.', {
    detail: "Username is the site's CAIR Org Code, password its API key, facilityID the Org Code or empty.",
  });
}

function unsupported(): Result {
  return fault('UnsupportedOperationFault', 'This operation is not supported.', {
    detail: 'Supported: connectivityTest, submitSingleMessage (namespace urn:cdc:iisb:2011).',
  });
}

function soap(operation: CdcOperation, envelope: string): Result {
  return {
    statusCode: 200,
    headers: { 'content-type': soapContentType(operation), 'cache-control': 'no-store' },
    body: envelope,
  };
}

function fault(
  name: CdcFault,
  reason: string,
  opts: Omit<FaultOptions, 'code'> & { code?: Soap12FaultCode; status?: number } = {},
): Result {
  const { status, ...options } = opts;
  const code = options.code ?? (name === 'fault' ? 'Receiver' : 'Sender');
  return {
    statusCode: status ?? faultHttpStatus(code),
    headers: { 'content-type': SOAP12_CONTENT_TYPE, 'cache-control': 'no-store' },
    body: buildFault(name, reason, { ...options, code }),
  };
}
