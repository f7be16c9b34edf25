import {
  buildConnectivityTestResponse,
  buildSubmitSingleMessageResponse,
  parseSoapRequest,
  readSoapHead,
  SOAP_HEAD_CHARS,
  type Soap12FaultCode,
  SoapEncodingError,
  SoapParseError,
} from '#codecs/soap/cdc-iis.ts';
import { bodyBytes, MAX_BODY_BYTES } from '#platform/http/limits.ts';
import type { Result } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';
import { authenticateCredentials, sameCredentials } from '#sites/authenticate.ts';
import { keepRejections } from './rejections-log.ts';
import { fault, securityFault, soap, unsupported } from './soap-answers.ts';
import { receiveVxu } from './vxu-intake.ts';

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

/** A POST /v1/iis as it arrived. */
export interface SoapPost {
  contentType: string | undefined;
  body: string | undefined;
  isBase64Encoded: boolean;
}

/**
 * One POST /v1/iis, in the order that keeps a hostile request cheap: media type, size on the bytes as sent, the
 * caller from the head of the envelope, and only then the costly parse. Throws only on a failure of ours
 * (storage, say), which the entry point answers with a Receiver fault.
 */
export async function takeSoapPost(req: SoapPost): Promise<Result> {
  const media = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // text/xml is SOAP 1.1's media type; taken when the envelope inside is SOAP 1.2 (parsing checks that).
  if (media !== 'application/soap+xml' && media !== 'text/xml')
    return fault('fault', 'Send SOAP 1.2 with Content-Type application/soap+xml.', {
      code: 'Sender',
      status: 415,
    });
  // Size first, on the bytes as sent: nothing is decoded or parsed for a request over the limit.
  const raw = req.body ?? '';
  const bytes = bodyBytes(raw, req.isBase64Encoded);
  if (bytes > MAX_SOAP_BODY_BYTES)
    return fault('MessageTooLargeFault', `The request is larger than ${MAX_SOAP_BODY_BYTES} bytes.`, {
      size: bytes,
      maxSize: MAX_SOAP_BODY_BYTES,
      status: 413,
    });
  const xml = req.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;

  // Then who is calling, from the head of the request alone, before the costly parse. A small request whose
  // head does not authenticate (credentials after hl7Message, say) is parsed and authenticated as a whole.
  const head = readSoapHead(xml);
  let iisId = head?.operation === 'submitSingleMessage' ? await authenticateCredentials(head) : undefined;
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
  if (request.operation === 'connectivityTest') return connectivityTest(request.echoBack);

  // Authenticated from the head, the parsed message must name the same caller: should the two readings ever
  // differ, the one that was checked is not the one that would be acted on.
  if (iisId && head?.operation === 'submitSingleMessage' && !sameCredentials(head, request))
    return securityFault();
  iisId ??= await authenticateCredentials(request);
  if (!iisId) return securityFault();
  return submit(request.hl7Message, iisId);
}

/**
 * Echoes echoBack. Text XML cannot carry (a lone surrogate, a control; found by fuzzing) cannot be echoed: that
 * is the caller's message, so a Sender fault (400) saying which character, not a 500.
 */
function connectivityTest(echoBack: string): Result {
  try {
    return soap('connectivityTest', buildConnectivityTestResponse(echoBack));
  } catch (err) {
    if (!(err instanceof SoapEncodingError)) throw err;
    return fault('fault', `echoBack cannot be echoed: ${err.message.replace(/^[^:]*: /, '')}.`, {
      code: 'Sender',
      status: 400,
    });
  }
}

/**
 * An authenticated site's submitSingleMessage: a VXU through dose intake, answered with the ACK; a QBP (the IIS
 * query, shared/persons) answered with the RSP.
 */
async function submit(hl7Message: string, iisId: string): Promise<Result> {
  const size = Buffer.byteLength(hl7Message, 'utf8');
  if (size > MAX_HL7_BYTES)
    return fault('MessageTooLargeFault', 'The HL7 message is too large.', { size, maxSize: MAX_HL7_BYTES });

  if (isQuery(hl7Message)) {
    // Loaded on first use: most messages are VXUs, and the query brings matching and the forecast with it.
    const { answerQbp } = await import('#persons/qbp-answer.ts');
    const q = await answerQbp(hl7Message, iisId, new Date());
    // The outcome only: the query and the answer are about a person.
    logger.info('QBP answered', { iis_id: iisId, outcome: q.outcome });
    return answer(q.rsp);
  }
  const outcome = await receiveVxu(hl7Message, { role: 'site', iis_id: iisId }, new Date());
  // Counts and the ACK code only: the message and the ACK's texts are about a patient.
  logger.info('VXU received', {
    iis_id: iisId,
    ack: outcome.ackCode,
    errors: outcome.errors.length,
    ...outcome.counts,
  });
  await keepRejections(outcome.rejections, 'soap');
  return answer(outcome.ack);
}

/** Whether an HL7 message is a query (MSH-9 QBP), read from its header alone. */
function isQuery(hl7: string): boolean {
  const msh = hl7.replace(/^[\s\v]+/, '').split(/[\r\n]/, 1)[0] ?? '';
  return msh.startsWith('MSH') && (msh.split(msh[3] ?? '|')[8] ?? '').startsWith('QBP');
}

function answer(hl7: string): Result {
  try {
    return soap('submitSingleMessage', buildSubmitSingleMessageResponse(hl7));
  } catch (err) {
    if (!(err instanceof SoapEncodingError)) throw err;
    return fault('fault', 'The acknowledgement could not be encoded.');
  }
}
