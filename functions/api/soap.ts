import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { hashSecret, parseKey, sameSecret } from '../../shared/auth/keys.ts';
import { MAX_BODY_BYTES } from '../../shared/http/request.ts';
import { receiveVxu } from '../../shared/intake/vxu-intake.ts';
import { errorName, logger } from '../../shared/observability/logger.ts';
import {
  buildConnectivityTestResponse,
  buildFault,
  buildSubmitSingleMessageResponse,
  type CdcFault,
  type CdcOperation,
  type FaultOptions,
  faultHttpStatus,
  parseSoapRequest,
  SOAP12_CONTENT_TYPE,
  type Soap12FaultCode,
  SoapEncodingError,
  SoapParseError,
  soapContentType,
} from '../../shared/soap/cdc-iis.ts';
import { cdcIisWsdl } from '../../shared/soap/cdc-iis.wsdl.ts';
import { getKey } from '../../shared/store/sites.ts';

type Result = APIGatewayProxyStructuredResultV2;

/** Largest HL7 message taken in one submitSingleMessage (UTF-8 bytes), as the registries take. */
export const MAX_HL7_BYTES = 1024 * 1024;

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
  const raw = event.body ?? '';
  const xml = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(xml) > MAX_BODY_BYTES)
    return fault('MessageTooLargeFault', 'The request is too large.', { maxSize: MAX_HL7_BYTES });

  let request: ReturnType<typeof parseSoapRequest>;
  try {
    request = parseSoapRequest(xml);
  } catch (err) {
    if (!(err instanceof SoapParseError)) throw err;
    const code: Soap12FaultCode = err.kind === 'version-mismatch' ? 'VersionMismatch' : 'Sender';
    return fault('fault', `The request is not a SOAP 1.2 message this service understands: ${err.message}.`, {
      code,
    });
  }

  if (request.operation === 'unknown')
    return fault('UnsupportedOperationFault', 'This operation is not supported.', {
      detail: 'Supported: connectivityTest, submitSingleMessage (namespace urn:cdc:iisb:2011).',
    });
  if (request.operation === 'connectivityTest')
    return soap('connectivityTest', buildConnectivityTestResponse(request.echoBack));

  const iisId = await authenticate(request.username, request.password);
  const facility = request.facilityID.trim().toUpperCase();
  if (!iisId || (facility !== '' && facility !== iisId))
    return fault('SecurityFault', 'Invalid username, password or facilityID.', {
      detail: "Username is the site's CAIR Org Code, password its API key, facilityID the Org Code or empty.",
    });
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

/** The site whose active key `password` is, if `username` names that site. */
async function authenticate(username: string, password: string): Promise<string | undefined> {
  const parsed = parseKey(password.trim());
  if (!parsed) return undefined;
  const key = await getKey(parsed.keyId);
  if (!key || !sameSecret(key.hash, hashSecret(parsed.secret)) || key.status !== 'active') return undefined;
  return username.trim().toUpperCase() === key.iis_id ? key.iis_id : undefined;
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
