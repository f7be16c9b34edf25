/**
 * How a Lambda handler is bundled, in one place: the stack (infra/constructs/pipeline-function.ts) and the bench's
 * size and cold-import figure (bench/figures/bundles.ts) both use it, so the figure measures what is deployed.
 */
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/**
 * Imports replaced at bundle time. The AWS SDK clients import the default credential chain statically; in Lambda
 * only its environment provider can ever answer (shared/platform/aws/credentials-from-env.ts).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(ROOT, 'shared/platform/aws/credentials-from-env.ts'),
};

/** The aliases as esbuild command-line arguments (NodejsFunction's `esbuildArgs`). */
export const aliasArgs = (): Record<string, string> =>
  Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to]));
