import { HEALTH_ENDPOINTS } from '#health/endpoints.ts';
import { healthSnapshot } from '#health/snapshot.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { json } from '#platform/http/response.ts';

/** The pipeline's health for program staff and administrators (docs/operations.md, Pipeline health). */
export const handler = httpHandler(
  route(HEALTH_ENDPOINTS, {
    'GET /v1/health': async () => json(200, await healthSnapshot(new Date())),
  }),
);
