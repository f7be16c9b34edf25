/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles (infra/bundling.ts aliases it here): Lambda
 * gives a function its role's credentials in environment variables, so the default chain's other providers (SSO,
 * INI files, processes, web identity, the container and instance metadata services) and the nested STS/SSO
 * clients they carry, ~90 KB minified, are dead weight a cold start still has to parse. Not used locally or in
 * tests, where the runtime sets credentials in the environment too.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
