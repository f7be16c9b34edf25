/**
 * Which function an AWS call is made for. All functions share one process and one set of SDK client singletons
 * locally, so the caller is carried by AsyncLocalStorage: set around each invocation (local/lambda.ts) and around
 * the SQS event source mapping's own calls (local/triggers/sqs-poller.ts), which AWS makes with the function's
 * execution role. A call made outside any scope (provisioning, notification wiring, tests) is not checked or counted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SdkCall } from './actions.ts';

export interface IamCaller {
  functionName: string;
  /** Authorizes the call first (IAM enforcement on). */
  enforcer?: IamEnforcer;
  /** Counts the call and what it costs (metering on: local/metering/). */
  meter?: SdkMeter;
  /** Who makes the call with the function's role when it is not the function's code. */
  via?: string;
}

export interface IamEnforcer {
  /** Resolves when every permission the call needs is allowed; rejects with the service's AccessDenied error. */
  authorize(caller: IamCaller, call: SdkCall, options?: { presign?: boolean }): Promise<void>;
}

/**
 * Sees each call of a function go out and come back (`send` answers the SDK handler's `{ output, response }`),
 * and may add to the input what it needs to count it, taking it out of the output again.
 */
export interface SdkMeter {
  around(
    caller: IamCaller,
    call: SdkCall,
    send: (input: Record<string, unknown>) => Promise<unknown>,
  ): Promise<unknown>;
}

const storage = new AsyncLocalStorage<IamCaller>();

/** Runs `fn` with its AWS calls attributed to `caller` (checked against that function's role). */
export function runAs<T>(caller: IamCaller, fn: () => T): T {
  return storage.run(caller, fn);
}

export function currentCaller(): IamCaller | undefined {
  return storage.getStore();
}

/** Runs `fn` as `functionName` when IAM or metering is on; as is otherwise. */
export function asFunction<T>(
  functionName: string,
  scope: { enforcer?: IamEnforcer; meter?: SdkMeter; via?: string },
  fn: () => T,
): T {
  if (!scope.enforcer && !scope.meter) return fn();
  return storage.run({ functionName, ...scope }, fn);
}
