import { ConnectionClosedError, errorCode } from './http.ts';

export const CLIENT_CERT_REFUSED_REASON = 'CDC Clearinghouse refused the TLS client certificate';

/** The TLS alerts a server sends when it does not accept the client's certificate (or got none). */
const CLIENT_CERT_ALERT =
  /alert (certificate required|handshake failure|bad certificate|unknown ca|certificate (?:expired|revoked|unknown)|unsupported certificate|access denied)/i;
/** Node's codes for a server certificate it cannot trust. */
const SERVER_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Why a request got no HTTP answer, in words an operator can act on; `refused` when sending again cannot help
 * until someone changes the configuration (a certificate refused by either side).
 */
export function failureReason(
  err: unknown,
  timeoutMs: number,
  hasCertificate: boolean,
): { reason: string; refused: boolean } {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return { reason: `No answer within ${timeoutMs} ms`, refused: false };
  const fix = hasCertificate
    ? 'check that "certificate" and "privateKey" in the CDC_CLEARINGHOUSE secret are the pair CDC issued and have not expired'
    : 'none is configured: add the CDC-issued "certificate" and "privateKey" to the CDC_CLEARINGHOUSE secret';
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : '';
  const alert = CLIENT_CERT_ALERT.exec(message)?.[1];
  if (alert) return { reason: `${CLIENT_CERT_REFUSED_REASON} (TLS alert "${alert}"): ${fix}`, refused: true };
  if (err instanceof ConnectionClosedError)
    return {
      reason: `${CLIENT_CERT_REFUSED_REASON}, most likely: it closed the connection ${err.phase === 'after-handshake' ? 'right after' : 'during'} the TLS handshake without answering (${errorCode(err.cause) ?? 'reset'}); ${fix}`,
      refused: false,
    };
  if (code && SERVER_CERT_CODES.has(code))
    return {
      reason: `The CDC Clearinghouse's server certificate is not trusted (${code}); "ca" in the CDC_CLEARINGHOUSE secret is only for a private CA`,
      refused: true,
    };
  if (err instanceof Error)
    return { reason: `Network error: ${err.message}${code ? ` (${code})` : ''}`, refused: false };
  return { reason: 'Network error', refused: false };
}
