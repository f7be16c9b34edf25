import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { errorName, logger } from '#platform/logger.ts';
import { ChunkRowsMismatchError } from './plan.ts';
import { isParseError } from './reader.ts';

/**
 * Why a dropped file stopped moving, for the person who has to act on it: every failure of the planner, the
 * worker or the uploads sweeper gets a stable code and the stage it failed at, is logged with the upload id and
 * chunk, and is recorded on the upload (GET /v1/uploads/{id} shows it). Nothing here ever carries row content:
 * an error's class and code (ECONNRESET, CSV_QUOTE_NOT_CLOSED, an AWS exception name) but never its message,
 * which parsers and SDKs fill with their input; the messages are our own, made of counts, parts and rows.
 *
 *   FILE_PLAN_FAILED     the planner could not plan the file (stage: head, record, read, claim, plan, queue)
 *   FILE_CHUNK_FAILED    a part of the file failed (stage: load, read, parse, store, publish, write, count)
 *   FILE_RESULTS_FAILED  the results file could not be assembled (stage: results)
 *   FILE_STUCK           the sweeper found the upload without progress and queued its work again (requeue,
 *                        replan), or could not (sweep)
 */
export type FailureCode = 'FILE_PLAN_FAILED' | 'FILE_CHUNK_FAILED' | 'FILE_RESULTS_FAILED' | 'FILE_STUCK';

export type FailureStage =
  | 'head'
  | 'record'
  | 'claim'
  | 'plan'
  | 'queue'
  | 'load'
  | 'read'
  | 'parse'
  | 'store'
  | 'publish'
  | 'write'
  | 'count'
  | 'results'
  | 'requeue'
  | 'replan'
  | 'sweep';

/** A failure as recorded on the upload and shown by GET /v1/uploads/{id}. */
export interface UploadFailure {
  code: FailureCode;
  stage: FailureStage;
  /** The part (chunk index, from 0) it concerns; null for the whole file. */
  chunk: number | null;
  /** When it last happened, and first. */
  at: string;
  first_at: string;
  /** How many times it happened (each SQS delivery that failed at this stage, or each sweep). */
  attempts: number;
  /** The error's class (and code), never its message. */
  error: string | null;
  /** What happened, for a person: no row content. */
  message: string;
  /** Set when the same work later succeeded: nothing left to act on. */
  resolved_at?: string;
}

const WHAT: Record<FailureStage, string> = {
  head: 'looking up the dropped file',
  record: 'recording the upload',
  claim: 'checking for an earlier upload of the same content',
  plan: 'saving the plan',
  queue: 'queuing the parts',
  load: 'loading the upload and its plan',
  read: 'reading its bytes from the dropped file',
  parse: 'reading its rows',
  store: 'storing its rows',
  publish: 'queuing its doses for the registries and CDC',
  write: 'saving its results',
  count: 'counting it done',
  results: 'assembling the results file',
  requeue: 'no progress',
  replan: 'no progress',
  sweep: 'picking up the stuck upload',
};

// ---- stages ----------------------------------------------------------------------------------------------------

const tagged = new WeakMap<object, FailureStage>();

/** Marks an error with the stage it came from (the first mark wins: it is the innermost). */
export function tagStage<E>(err: E, stage: FailureStage): E {
  if (err !== null && typeof err === 'object' && !tagged.has(err)) tagged.set(err, stage);
  return err;
}

/** The stage an error came from: a broken file or a chunk that disagrees with its plan is `parse`. */
export function stageOf(err: unknown, fallback: FailureStage): FailureStage {
  if (isParseError(err) || err instanceof ChunkRowsMismatchError) return 'parse';
  return (err !== null && typeof err === 'object' && tagged.get(err)) || fallback;
}

/** Runs a step, marking what it throws with its stage. */
export async function inStage<T>(stage: FailureStage, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw tagStage(err, stage);
  }
}

/** The same collaborators, each marking what it throws with its stage (`stageFor` its name). */
export function stagedDeps<T extends object>(deps: T, stageFor: (name: string) => FailureStage): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(deps)) {
    out[name] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (value as (...a: unknown[]) => unknown)(...args);
            } catch (err) {
              throw tagStage(err, stageFor(name));
            }
          }
        : value;
  }
  return out as T;
}

/** An error's class, and its code when it has one that is a code (never its message: it may quote a row). */
export function errorLabel(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const name = errorName(err);
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,60}$/.test(code) && code !== name
    ? `${name} ${code}`
    : name;
}

// ---- messages --------------------------------------------------------------------------------------------------

const n = (x: number) => x.toLocaleString('en-US');

export interface PartInfo {
  n: number;
  firstRow: number;
  rows: number;
}

/** A part of a file for a person: "Part 2 of 3 (rows 52–101)". */
export function partLabel(part: PartInfo, total?: number): string {
  return `Part ${n(part.n + 1)}${total ? ` of ${n(total)}` : ''} (rows ${n(part.firstRow)}–${n(part.firstRow + part.rows - 1)})`;
}

/** The message of a failure: where, what was being done, and the error's class; no row content. */
export function failureMessage(
  code: FailureCode,
  stage: FailureStage,
  err: unknown,
  where: { part?: PartInfo; parts?: number; chunk?: number } = {},
): string {
  const retried =
    'It is retried automatically; an upload that stops making progress is failed after about an hour.';
  const label = err === undefined ? '' : errorLabel(err);
  // Our own errors say what disagreed in counts only; their messages are safe and more useful than a class name.
  const detail =
    err instanceof ChunkRowsMismatchError ? `${err.message}: the file's bytes disagree with its plan` : label;
  const part = where.part
    ? partLabel(where.part, where.parts)
    : where.chunk !== undefined
      ? `Part ${n(where.chunk + 1)}`
      : undefined;
  switch (code) {
    case 'FILE_PLAN_FAILED':
      return `The file could not be planned: ${WHAT[stage]} failed (${detail}). ${retried}`;
    case 'FILE_CHUNK_FAILED':
      return `${part ?? 'A part'}: ${WHAT[stage]} failed (${detail}). Rows already stored stay stored and are not stored twice. ${retried}`;
    case 'FILE_RESULTS_FAILED':
      return `All parts are done, but ${WHAT[stage]} failed (${detail}). ${retried}`;
    case 'FILE_STUCK':
      return stage === 'sweep'
        ? `The sweeper could not pick up this stuck upload (${detail}); it tries again at its next run.`
        : 'The upload made no progress for a while: its unfinished work was queued again.';
  }
}

// ---- recording -------------------------------------------------------------------------------------------------

const table = () => requiredEnv(TABLE_ENV.uploads);
const scopeOf = (chunk: number | null, code: FailureCode) =>
  chunk === null ? code : `${code}#${String(chunk).padStart(5, '0')}`;

export interface FailureReport {
  code: FailureCode;
  stage: FailureStage;
  chunk?: number | null;
  error?: unknown;
  message: string;
  /** Logged as a warning rather than an error (a wait, or work queued again). */
  warning?: boolean;
}

/**
 * Logs a failure (code, stage, upload id, chunk, error class) and records it on the upload: one item per code,
 * chunk and stage, counting attempts, so a chunk failing at `store` five times is one line saying 5. Recording
 * never hides the failure: if the table cannot be written either, that is logged and the caller rethrows.
 */
export async function reportFailure(
  uploadId: string | undefined,
  f: FailureReport,
  now: Date,
): Promise<void> {
  const chunk = f.chunk ?? null;
  const fields = {
    code: f.code,
    stage: f.stage,
    upload_id: uploadId,
    chunk,
    ...(f.error === undefined ? {} : { error: errorLabel(f.error) }),
  };
  if (f.warning) logger.warn('upload step failed', fields);
  else logger.error('upload step failed', fields);
  if (!uploadId) return;
  const at = now.toISOString();
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table(),
        Key: {
          pk: { S: `UPLOAD#${uploadId}` },
          sk: { S: `FAILURE#${scopeOf(chunk, f.code)}#${f.stage}` },
        },
        UpdateExpression:
          'SET code = :code, stage = :stage, chunk = :chunk, #at = :at, first_at = if_not_exists(first_at, :at), #error = :error, message = :message ADD attempts :one REMOVE resolved_at',
        ExpressionAttributeNames: { '#at': 'at', '#error': 'error' },
        ExpressionAttributeValues: {
          ':code': { S: f.code },
          ':stage': { S: f.stage },
          ':chunk': chunk === null ? { NULL: true } : { N: String(chunk) },
          ':at': { S: at },
          ':error': f.error === undefined ? { NULL: true } : { S: errorLabel(f.error) },
          ':message': { S: f.message },
          ':one': { N: '1' },
        },
      }),
    );
  } catch (err) {
    logger.error('could not record an upload failure', {
      upload_id: uploadId,
      code: f.code,
      error: errorName(err),
    });
  }
}

async function failureItems(
  uploadId: string,
  prefix = '',
): Promise<Record<string, { S?: string; N?: string; NULL?: boolean }>[]> {
  const items: Record<string, { S?: string; N?: string; NULL?: boolean }>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :f)',
        ExpressionAttributeValues: { ':pk': { S: `UPLOAD#${uploadId}` }, ':f': { S: `FAILURE#${prefix}` } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...((page.Items ?? []) as typeof items));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return items;
}

/** The failures recorded on an upload, oldest first. */
export async function listFailures(uploadId: string): Promise<UploadFailure[]> {
  const out = (await failureItems(uploadId)).map(
    (i): UploadFailure => ({
      code: i.code!.S as FailureCode,
      stage: i.stage!.S as FailureStage,
      chunk: i.chunk?.N === undefined ? null : Number(i.chunk.N),
      at: i.at!.S!,
      first_at: i.first_at?.S ?? i.at!.S!,
      attempts: Number(i.attempts?.N ?? 1),
      error: i.error?.S ?? null,
      message: i.message!.S!,
      ...(i.resolved_at?.S ? { resolved_at: i.resolved_at.S } : {}),
    }),
  );
  return out.sort((a, b) => a.first_at.localeCompare(b.first_at) || (a.chunk ?? -1) - (b.chunk ?? -1));
}

/**
 * The work a failure was about has now succeeded (a chunk done, the file planned, the results assembled): its
 * failures stay on record with resolved_at, as nothing is left to act on. Failing to mark them is only logged.
 */
export async function resolveFailures(
  uploadId: string,
  code: FailureCode,
  chunk: number | null,
  now: Date,
): Promise<void> {
  try {
    const open = (await failureItems(uploadId, `${scopeOf(chunk, code)}#`)).filter((i) => !i.resolved_at);
    for (const i of open)
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: table(),
          Key: { pk: { S: i.pk!.S! }, sk: { S: i.sk!.S! } },
          UpdateExpression: 'SET resolved_at = :now',
          ExpressionAttributeValues: { ':now': { S: now.toISOString() } },
        }),
      );
  } catch (err) {
    logger.warn('could not mark upload failures resolved', {
      upload_id: uploadId,
      code,
      chunk,
      error: errorName(err),
    });
  }
}
