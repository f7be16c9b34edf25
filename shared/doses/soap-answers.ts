import {
  buildFault,
  type CdcFault,
  type CdcOperation,
  type FaultOptions,
  faultHttpStatus,
  SOAP12_CONTENT_TYPE,
  type Soap12FaultCode,
  soapContentType,
} from '#codecs/soap/cdc-iis.ts';
import type { Result } from '#platform/http/response.ts';

/** The SOAP service's answers (POST /v1/iis): an operation's response envelope, or a SOAP 1.2 fault. */
export function soap(operation: CdcOperation, envelope: string): Result {
  return {
    statusCode: 200,
    headers: { 'content-type': soapContentType(operation), 'cache-control': 'no-store' },
    body: envelope,
  };
}

export function fault(
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

export function securityFault(): Result {
  return fault('SecurityFault', 'Invalid username, password or facilityID.', {
    detail: "Username is the site's CAIR Org Code, password its API key, facilityID the Org Code or empty.",
  });
}

export function unsupported(): Result {
  return fault('UnsupportedOperationFault', 'This operation is not supported.', {
    detail: 'Supported: connectivityTest, submitSingleMessage (namespace urn:cdc:iisb:2011).',
  });
}
