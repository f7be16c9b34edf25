import * as z from 'zod/mini';
import { ANALYTICS_SCHEMAS } from '#analytics/endpoints.ts';
import {
  DoseBatch,
  DoseInput,
  ErrorResponse,
  FindingSchema,
  MAX_DOSES_PER_REQUEST,
  SubmitResponse,
} from '#doses/schema.ts';
import { UPLOAD_SCHEMAS } from '#files/endpoints.ts';
import { HEALTH_SCHEMAS } from '#health/endpoints.ts';
import { PERSON_SCHEMAS } from '#persons/endpoints.ts';
import { SiteInput } from '#sites/site.ts';
import { STOCK_SCHEMAS } from '#stock/endpoints.ts';
import { RULES } from '../findings.ts';
import type { Endpoint } from './endpoint.ts';
import { ALL_ENDPOINTS } from './endpoints-by-function.ts';

export { ALL_ENDPOINTS, ENDPOINTS_BY_FUNCTION, OPENAPI_ENDPOINTS } from './endpoints-by-function.ts';

import { API_GATEWAY_MAX_BODY_BYTES, MAX_BODY_BYTES } from './limits.ts';
import { error } from './openapi-parts.ts';

/** JSON Schema of a zod schema, as the document embeds it (no `$schema`). */
export const schema = (s: z.core.$ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

/** Who may call a route, in words (the README's route table). */
export const whoMayCall = (e: Endpoint): string =>
  e.access === 'public'
    ? 'anyone (no key)'
    : e.access
        .map((r) => (r === 'site' ? 'site key' : r === 'program' ? 'program sign-in' : 'admin key'))
        .join(', ');

/** An operation as OpenAPI writes it: security from the route's access, the answers every keyed route can give. */
function operationOf(e: Endpoint): Record<string, unknown> {
  const { requestBody, responses, ...rest } = e.operation;
  const keyed = e.access !== 'public';
  return {
    ...rest,
    ...(requestBody === 'none' ? {} : { requestBody }),
    security: keyed ? [{ bearer: [] }] : [],
    'x-roles': keyed ? e.access : ['public'],
    responses: keyed
      ? { ...responses, '401': error('No or invalid key'), '403': error('Not allowed for this key') }
      : responses,
  };
}

/** The OpenAPI 3.1 document, generated from the route declarations and the zod schemas the handlers use. */
export function openApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of ALL_ENDPOINTS) {
    const [method, path] = e.key.split(' ') as [string, string];
    paths[path] = { ...paths[path], [method.toLowerCase()]: operationOf(e) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'California COVID-19 dose reporting pipeline',
      version: '1',
      description: `Report COVID-19 doses to the regional CAIR registry and CDC. Bodies up to ${MAX_BODY_BYTES} bytes (UTF-8, as sent; JSON and SOAP alike): larger is 413, from the function up to ${API_GATEWAY_MAX_BODY_BYTES} bytes and from API Gateway beyond. ${MAX_BODY_BYTES} is the largest body AWS admits whatever its bytes: API Gateway hands it to Lambda escaped in a JSON event of at most 6 MB, where a byte can take six. Up to ${MAX_DOSES_PER_REQUEST} doses per request. Identifiers in paths and queries have the maxLength given (bytes; longer is 400 REQ009). Findings codes: ${Object.keys(RULES).join(', ')}.`,
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Site key (cak_…) or the admin key' },
      },
      schemas: {
        Dose: schema(DoseInput),
        DoseBatch: schema(DoseBatch),
        SubmitResponse: schema(SubmitResponse),
        Site: schema(SiteInput),
        Error: schema(ErrorResponse),
        Finding: schema(FindingSchema),
        ...UPLOAD_SCHEMAS,
        ...STOCK_SCHEMAS,
        ...PERSON_SCHEMAS,
        ...ANALYTICS_SCHEMAS,
        ...HEALTH_SCHEMAS,
      },
    },
    paths,
  };
}
