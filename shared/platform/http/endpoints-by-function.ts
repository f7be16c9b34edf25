/**
 * Every route of the API by the topology function that serves it. Light on purpose: infra/topology.ts reads it
 * for each function's routes, so it imports the declarations only, never the OpenAPI document's schemas.
 */
import { ANALYTICS_ENDPOINTS } from '#analytics/endpoints.ts';
import { DOSE_ENDPOINTS, SOAP_ENDPOINTS } from '#doses/endpoints.ts';
import { UPLOAD_ENDPOINTS } from '#files/endpoints.ts';
import { HEALTH_ENDPOINTS } from '#health/endpoints.ts';
import { PERSON_ENDPOINTS } from '#persons/endpoints.ts';
import { SITE_ENDPOINTS } from '#sites/endpoints.ts';
import { REPORT_ENDPOINTS, STOCK_ENDPOINTS } from '#stock/endpoints.ts';
import type { Endpoint } from './endpoint.ts';

/** This document's own route (functions/platform/openapi.ts). */
export const OPENAPI_ENDPOINTS = [
  {
    key: 'GET /v1/openapi.json',
    access: 'public',
    operation: {
      summary: 'This document',
      requestBody: 'none',
      responses: { '200': { description: 'OpenAPI 3.1' } },
    },
  },
] as const satisfies readonly Endpoint[];

/** Every route of the API by the function that serves it (topology.ts function names). */
export const ENDPOINTS_BY_FUNCTION = {
  doses: DOSE_ENDPOINTS,
  soapIntake: SOAP_ENDPOINTS,
  sites: SITE_ENDPOINTS,
  uploads: UPLOAD_ENDPOINTS,
  stock: STOCK_ENDPOINTS,
  reports: REPORT_ENDPOINTS,
  persons: PERSON_ENDPOINTS,
  analytics: ANALYTICS_ENDPOINTS,
  health: HEALTH_ENDPOINTS,
  openapi: OPENAPI_ENDPOINTS,
} as const satisfies Record<string, readonly Endpoint[]>;

export const ALL_ENDPOINTS: readonly Endpoint[] = Object.values(ENDPOINTS_BY_FUNCTION).flat();
