import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Finding } from '../findings.ts';

export type Result = APIGatewayProxyStructuredResultV2;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Result {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * Request-level errors share the shape of dose findings, so a client handles one format: a message for
 * people and `issues` with code, severity, field and message for programs.
 */
export function problem(
  statusCode: number,
  code: string,
  field: string,
  message: string,
  extra: object = {},
): Result {
  const issue: Finding = { code, severity: 'error', field, message };
  return json(statusCode, { message, issues: [issue], ...extra });
}

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly field: string;
  override readonly name = 'HttpError';
  constructor(statusCode: number, code: string, field: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.field = field;
  }
}
