/**
 * The environment variable that carries each resource into the functions bound to it, declared once:
 * infra/topology.ts takes its `envVar`s from here, and the functions read their resources by these names (a
 * small module, so a handler does not bundle the topology). test/infra/env-bindings.test.ts checks that every
 * function reads only what its topology entry binds.
 */
export const TABLE_ENV = {
  sites: 'SITES_TABLE',
  uploads: 'UPLOADS_TABLE',
  doses: 'DOSES_TABLE',
  cdc: 'CDC_TABLE',
  stock: 'STOCK_TABLE',
  persons: 'PERSONS_TABLE',
  analytics: 'ANALYTICS_TABLE',
} as const;

export const QUEUE_ENV = {
  ingestFiles: 'INGEST_FILES_QUEUE_URL',
  ingestChunks: 'INGEST_CHUNKS_QUEUE_URL',
  registry: 'REGISTRY_QUEUE_URL',
  cdc: 'CDC_QUEUE_URL',
  persons: 'PERSONS_QUEUE_URL',
} as const;

export const BUCKET_ENV = {
  drop: 'DROP_BUCKET',
  reports: 'REPORTS_BUCKET',
  audit: 'AUDIT_BUCKET',
} as const;

/** Secrets: `${name}_SECRET_ARN` in AWS, the value itself locally (shared/platform/aws/secrets.ts). */
export const SECRET_ENV = {
  adminKey: 'ADMIN_KEY',
  registryCredentials: 'REGISTRY_CREDENTIALS',
  cdcRecipientKey: 'CDC_RECIPIENT_KEY',
  cdcClearinghouse: 'CDC_CLEARINGHOUSE',
} as const;

/** Sign-in (issue 16): the OpenID Connect provider whose access tokens the authorizer accepts (docs/sign-in.md). */
export const AUTH_ENV = {
  /** The provider's issuer URL (Cognito: https://cognito-idp.<region>.amazonaws.com/<pool id>). */
  issuer: 'OIDC_ISSUER',
  /** Accepted audiences, comma-separated: the API's resource indicator, or Cognito app client ids. */
  audience: 'OIDC_AUDIENCE',
} as const;

/** Cognito's pre-token-generation trigger (functions/platform/token-claims.ts). */
export const TOKEN_CLAIMS_ENV = {
  /** The machine clients, JSON `[{ client_id, sites, access }]`, filled by the stack from topology.signIn. */
  machineClients: 'SIGN_IN_MACHINE_CLIENTS',
} as const;

/** The variable holding a queue's dead-letter queue URL, beside the queue's own (`<QUEUE_ENV>_DLQ_URL`). */
export const dlqEnvName = (queueEnv: string) => `${queueEnv}_DLQ_URL`;
