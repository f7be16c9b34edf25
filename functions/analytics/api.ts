import { denominatorsAnswer, loadDenominators } from '#analytics/denominators-api.ts';
import { ANALYTICS_ENDPOINTS } from '#analytics/endpoints.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { json } from '#platform/http/response.ts';

export const handler = httpHandler(
  route(ANALYTICS_ENDPOINTS, {
    'PUT /v1/denominators': async (e) => {
      const out = await loadDenominators(e, new Date());
      return json(out.created ? 201 : 200, out);
    },
    'GET /v1/denominators': async (e) => json(200, await denominatorsAnswer(e.queryStringParameters ?? {})),
  }),
);
