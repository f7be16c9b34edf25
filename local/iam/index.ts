/**
 * IAM enforcement for a local runtime: the synthesized function policies, the SDK hook, and an enforcer that
 * invocations (local/lambda.ts) and SQS pollers (local/triggers/sqs-poller.ts) attribute their calls to.
 */
import type { Logger } from '../log.ts';
import { createIamEnforcer, installSdkHook, type LocalIamEnforcer } from './enforce.ts';
import { type LocalIamPolicies, loadPolicies } from './policies.ts';

export type { Denial, LocalIamEnforcer } from './enforce.ts';
export type { LocalIamPolicies, PolicyStatement } from './policies.ts';

export interface LocalIamOptions {
  /**
   * Changes the synthesized policies before they are enforced (tests: drop a grant to show it is needed). Gets a
   * deep copy.
   */
  editPolicies?: (policies: LocalIamPolicies) => LocalIamPolicies | undefined;
  /** Where synthesized policies are cached (default `<repo>/.data/iam`). */
  cacheDir?: string;
}

export async function startLocalIam(
  functionNames: string[],
  options: LocalIamOptions,
  logger: Logger,
): Promise<LocalIamEnforcer> {
  let policies = await loadPolicies({ cacheDir: options.cacheDir, logger });
  if (options.editPolicies) {
    const copy = structuredClone(policies);
    policies = options.editPolicies(copy) ?? copy;
  }
  const missing = functionNames.filter((name) => !policies.functions[name]);
  if (missing.length > 0) {
    throw new Error(
      `IAM enforcement: ${missing.join(', ')} ha${missing.length === 1 ? 's' : 've'} no role in the synthesized ` +
        'stack (infra/stack.ts); start without `iam` for a topology of test-only functions',
    );
  }
  installSdkHook();
  return createIamEnforcer({ policies, logger });
}
