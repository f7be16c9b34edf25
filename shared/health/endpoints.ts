import type { Endpoint } from '#platform/http/endpoint.ts';
import { error, jsonContent } from '#platform/http/openapi-parts.ts';

/** The pipeline's health for the people who run it (functions/health/api.ts); no site's data, no person's. */
export const HEALTH_ENDPOINTS = [
  {
    key: 'GET /v1/health',
    access: ['program', 'admin'],
    denied: 'The pipeline’s health is for program staff and administrators.',
    operation: {
      summary:
        'Pipeline health: each registry (sending or paused, parked), queue and dead-letter depths, stuck and failed uploads, the CDC report per day, the nightly runs, alarm conditions',
      requestBody: 'none',
      responses: {
        '200': { description: 'The snapshot', content: jsonContent('Health') },
        '403': error('A site key or site sign-in (AUTH002)'),
      },
    },
  },
] as const satisfies readonly Endpoint[];

export const HEALTH_SCHEMAS = {
  Health: {
    type: 'object',
    required: ['at', 'registries', 'queues', 'uploads', 'cdc', 'nightly', 'alarms'],
    properties: {
      at: { type: 'string', format: 'date-time' },
      registries: { type: 'array', items: { type: 'object' } },
      queues: { type: 'array', items: { type: 'object' } },
      uploads: { type: 'object' },
      cdc: { type: 'array', items: { type: 'object' } },
      nightly: { type: 'object' },
      alarms: { type: 'array', items: { type: 'object' } },
    },
  },
};
