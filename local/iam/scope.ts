/**
 * Which function an AWS call is made for. All functions share one process and one set of SDK client singletons
 * locally, so the caller is carried by AsyncLocalStorage: set around each invocation (local/lambda.ts) and around
 * the SQS event source mapping's own calls (local/triggers/sqs-poller.ts), which AWS makes with the function's
 * execution role. A call made outside any scope (provisioning, notification wiring, tests) is not checked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SdkCall } from './actions.ts';

export interface IamCaller {
  functionName: string;
  enforcer: IamEnforcer;
  /** Who makes the call with the function's role when it is not the function's code. */
  via?: string;
}

export interface IamEnforcer {
  /** Resolves when every permission the call needs is allowed; rejects with the service's AccessDenied error. */
  authorize(caller: IamCaller, call: SdkCall, options?: { presign?: boolean }): Promise<void>;
}

const storage = new AsyncLocalStorage<IamCaller>();

/** Runs `fn` with its AWS calls attributed to `caller` (checked against that function's role). */
export function runAs<T>(caller: IamCaller, fn: () => T): T {
  return storage.run(caller, fn);
}

export function currentCaller(): IamCaller | undefined {
  return storage.getStore();
}
