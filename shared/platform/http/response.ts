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

/**
 * The one error an API route throws to refuse a request: its HTTP status and the findings that say why (one
 * for a request-level problem, every one for a rejected input), answered by httpHandler (handler.ts) in the
 * shape above. `extra` adds fields to the answer (a rejected update's `status`).
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly issues: readonly Finding[];
  readonly extra: object;
  override readonly name = 'HttpError';
  constructor(statusCode: number, code: string, field: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.issues = [{ code, severity: 'error', field, message }];
    this.extra = {};
  }
  /** The first finding's code: what a request-level refusal is (AUTH002, REQ009, …). */
  get code(): string {
    return this.issues[0]!.code;
  }
  get field(): string {
    return this.issues[0]!.field;
  }
  /** A request refused with every finding of its input (400 by default; 422 for a rejected update). */
  static withFindings(statusCode: number, message: string, issues: readonly Finding[], extra: object = {}) {
    const err = new HttpError(statusCode, '', '', message);
    (err as { issues: readonly Finding[] }).issues = issues;
    (err as { extra: object }).extra = extra;
    return err;
  }
  /** The answer: `{message, issues}` (and any extra fields) with the status. */
  answer(): Result {
    return json(this.statusCode, { message: this.message, ...this.extra, issues: this.issues });
  }
}
