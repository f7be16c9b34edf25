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
  constructor(statusCode: number, code: string, field: string, message: string);
  constructor(statusCode: number, issues: readonly Finding[], message: string, extra?: object);
  constructor(statusCode: number, ...rest: [string, string, string] | [readonly Finding[], string, object?]) {
    const [issues, message, extra] =
      typeof rest[0] === 'string'
        ? [
            [
              {
                code: rest[0],
                severity: 'error' as const,
                field: rest[1] as string,
                message: rest[2] as string,
              },
            ],
            rest[2] as string,
            {},
          ]
        : [rest[0], rest[1] as string, (rest[2] as object | undefined) ?? {}];
    super(message);
    this.statusCode = statusCode;
    this.issues = issues;
    this.extra = extra;
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
    return new HttpError(statusCode, issues, message, extra);
  }
  /** The answer: `{message, issues}` (and any extra fields) with the status. */
  answer(): Result {
    return json(this.statusCode, { message: this.message, ...this.extra, issues: this.issues });
  }
}
