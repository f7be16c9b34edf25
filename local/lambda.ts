/**
 * In-process Lambda: loads a function's `entry` module (its `handler` export) and invokes it with a Lambda-like
 * context, JSON round-trips of event and result, the synchronous payload limit and the function's timeout.
 *
 * Differences from Lambda that cannot be helped in one process: a timed-out handler is abandoned, not frozen
 * or killed (it keeps running in the background); all functions share one process.env and one module graph.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec, SqsTrigger } from '../infra/topology.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './clients.ts';
import { asFunction, type IamEnforcer } from './iam/scope.ts';
import { defaultLogger, describeError, type Logger } from './log.ts';
import type { Meter } from './metering/meter.ts';

/** A function spec whose SQS trigger may name any queue key (tests use their own topologies). */
export type LocalFunctionSpec = Omit<FunctionSpec, 'sqs'> & {
  sqs?: Omit<SqsTrigger, 'queue' | 'reportBatchItemFailures'> & {
    queue: string;
    reportBatchItemFailures?: boolean;
  };
};

export type Handler = (event: unknown, context: Context) => unknown;

/** The entry module is missing, fails to load, or exports no `handler`. */
export class HandlerUnavailableError extends Error {
  override name = 'HandlerUnavailableError';
}
/** The invocation exceeded the function's timeout (Lambda: "Task timed out after N seconds"). */
export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}
/** Event or result larger than the invocation payload limit (Lambda: RequestEntityTooLargeException). */
export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

export interface InvokerOptions {
  /** Directory that `entry` paths are relative to (the repository root). */
  rootDir: string;
  functions: Record<string, LocalFunctionSpec>;
  /** Synchronous invocation payload limit for event and result (bytes). */
  maxPayloadBytes?: number;
  /** Per-function timeout overrides in seconds (tests). */
  timeoutSeconds?: Record<string, number>;
  logger?: Logger;
  /**
   * IAM enforcement (local/iam/): every AWS call a handler makes during its invocation is authorized against its
   * function's synthesized role policy first. Off when omitted.
   */
  iam?: IamEnforcer;
  /** Metering (bench): invocations, their durations and log bytes, and every AWS call, per function. */
  meter?: Meter;
}

export interface InvokeOptions {
  /** Payload limit for this invocation (e.g. asynchronous invocations have their own). */
  maxPayloadBytes?: number;
}

export interface Invoker {
  readonly functions: Record<string, LocalFunctionSpec>;
  /** Loads (once) the function's handler; throws HandlerUnavailableError if it cannot. */
  load(name: string): Promise<Handler>;
  /** Invokes like Lambda's synchronous Invoke: resolves with the JSON round-trip of the result. */
  invoke(name: string, event: unknown, options?: InvokeOptions): Promise<unknown>;
  /** Resolves when every invocation started so far has settled (or been abandoned at its timeout). */
  drain(): Promise<void>;
}

const DEFAULT_MAX_PAYLOAD = 6 * 1024 * 1024;

export function createInvoker(options: InvokerOptions): Invoker {
  const logger = options.logger ?? defaultLogger;
  const maxPayloadDefault = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  const loaded = new Map<string, Promise<Handler>>();
  /** Per function: what failed last (so it is logged once) and the entry's mtime then (to retry on change). */
  const failures = new Map<string, { reason: string; mtimeMs: number }>();
  const inFlight = new Set<Promise<unknown>>();

  function spec(name: string): LocalFunctionSpec {
    const s = options.functions[name];
    if (!s) throw new HandlerUnavailableError(`unknown function ${name}`);
    return s;
  }

  function fail(name: string, reason: string, mtimeMs: number): never {
    const previous = failures.get(name);
    if (previous?.reason !== reason) logger(`[local] function ${name} unavailable: ${reason}`);
    failures.set(name, { reason, mtimeMs });
    throw new HandlerUnavailableError(`function ${name} unavailable: ${reason}`);
  }

  async function importHandler(name: string): Promise<Handler> {
    const entry = spec(name).entry;
    const path = resolve(options.rootDir, entry);
    if (!existsSync(path)) fail(name, `entry ${entry} does not exist`, 0);
    const mtimeMs = statSync(path).mtimeMs;
    const previous = failures.get(name);
    const url = pathToFileURL(path);
    // A module that failed to evaluate stays failed in the ESM cache: after an edit, import a fresh instance.
    if (previous && previous.mtimeMs !== 0) url.search = `?v=${mtimeMs}`;
    let mod: { handler?: unknown };
    try {
      mod = await import(url.href);
    } catch (err) {
      return fail(name, `entry ${entry} failed to load (${describeError(err)})`, mtimeMs);
    }
    if (typeof mod.handler !== 'function') return fail(name, `entry ${entry} exports no handler`, mtimeMs);
    if (failures.delete(name)) logger(`[local] function ${name} available`);
    return mod.handler as Handler;
  }

  function load(name: string): Promise<Handler> {
    const cached = loaded.get(name);
    if (cached) return cached;
    const failure = failures.get(name);
    if (failure && failure.mtimeMs !== 0) {
      // Do not re-import an unchanged module that failed: answer from the last failure.
      const path = resolve(options.rootDir, spec(name).entry);
      const mtimeMs = existsSync(path) ? statSync(path).mtimeMs : 0;
      if (mtimeMs === failure.mtimeMs) {
        return Promise.reject(new HandlerUnavailableError(`function ${name} unavailable: ${failure.reason}`));
      }
    }
    const promise = importHandler(name);
    loaded.set(name, promise);
    promise.catch(() => loaded.delete(name));
    return promise;
  }

  async function run(name: string, event: unknown, invokeOptions: InvokeOptions): Promise<unknown> {
    const fn = spec(name);
    const handler = await load(name);
    const maxPayload = invokeOptions.maxPayloadBytes ?? maxPayloadDefault;
    const eventJson = JSON.stringify(event ?? null);
    if (Buffer.byteLength(eventJson) > maxPayload) {
      throw new PayloadTooLargeError(`request payload exceeds ${maxPayload} bytes`);
    }
    const timeoutSeconds = options.timeoutSeconds?.[name] ?? fn.timeoutSeconds;
    const deadline = Date.now() + timeoutSeconds * 1000;
    const context = lambdaContext(name, fn, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FunctionTimeoutError(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      const call = () => Promise.resolve().then(() => handler(JSON.parse(eventJson), context));
      const started = performance.now();
      const result = await Promise.race([
        asFunction(name, { enforcer: options.iam, meter: options.meter }, call),
        timedOut,
      ]).finally(() => options.meter?.invocation(name, fn.memoryMb, performance.now() - started));
      const resultJson = JSON.stringify(result) ?? 'null';
      if (Buffer.byteLength(resultJson) > maxPayload) {
        throw new PayloadTooLargeError(`response payload exceeds ${maxPayload} bytes`);
      }
      return JSON.parse(resultJson);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    functions: options.functions,
    load,
    invoke(name, event, invokeOptions = {}) {
      const promise = run(name, event, invokeOptions).catch((err: unknown) => {
        if (!(err instanceof HandlerUnavailableError)) {
          // Like Lambda's log line for a failed invocation, minus the event: name and message only (PHI).
          logger(`[local] function ${name} failed: ${describeError(err)}`);
        }
        throw err;
      });
      inFlight.add(promise);
      const forget = () => inFlight.delete(promise);
      promise.then(forget, forget);
      return promise;
    },
    async drain() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}

function lambdaContext(name: string, fn: LocalFunctionSpec, deadline: number): Context {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {
      throw new Error('callback-style completion is not supported on nodejs24.x');
    },
    fail: () => {
      throw new Error('callback-style completion is not supported on nodejs24.x');
    },
    succeed: () => {
      throw new Error('callback-style completion is not supported on nodejs24.x');
    },
  };
}
