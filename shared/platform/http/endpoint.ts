/**
 * A route of the public API, declared once: its routeKey, who may call it, and its OpenAPI operation. The
 * router (handler.ts `route`), the authorization check, the stack's and the local gateway's routes
 * (infra/topology.ts), the OpenAPI document and the README's route table are all derived from these.
 */

/**
 * The roles a caller can have (the authorizer decides; functions/sites/authorizer.ts): a site (key or sign-in),
 * program staff (a sign-in: statewide reads), the admin (key or sign-in). docs/sign-in.md.
 */
export type Role = 'site' | 'program' | 'admin';

export interface Endpoint {
  /** API Gateway's routeKey: `METHOD /path` with `{name}` parameters. */
  key: `${'GET' | 'POST' | 'PUT' | 'DELETE'} /${string}`;
  /** The roles whose keys may call it, or 'public': served without the authorizer (no dose data). */
  access: 'public' | readonly Role[];
  /** What a key of another role is told (403), when more helpful than the default. */
  denied?: string;
  /** A POST that only reads (a search): a read-only sign-in may call it. */
  reads?: true;
  /**
   * The OpenAPI operation without `security` (derived from `access`). Every operation names its request body
   * (or `requestBody: 'none'` when it takes none) and a response schema or description for each status.
   */
  operation: Operation;
}

export interface Operation {
  summary: string;
  description?: string;
  parameters?: readonly Record<string, unknown>[];
  requestBody: Record<string, unknown> | 'none';
  responses: Record<string, Record<string, unknown>>;
}

export type EndpointKey<E extends readonly Endpoint[]> = E[number]['key'];

export const keysOf = (endpoints: readonly Endpoint[], which: 'authorized' | 'public'): string[] =>
  endpoints.filter((e) => (e.access === 'public') === (which === 'public')).map((e) => e.key);

/** Default 403 texts by the role a route needs. */
export const DENIED: Record<Role, { code: string; message: string }> = {
  site: { code: 'AUTH002', message: 'This is done with a site key, not the admin key.' },
  admin: { code: 'AUTH003', message: 'This operation needs the admin key; a site key cannot do it.' },
  program: { code: 'AUTH003', message: 'This is for program staff and the admin.' },
};
