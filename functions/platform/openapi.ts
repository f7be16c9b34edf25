import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { openApiDocument } from '#platform/http/openapi.ts';
import { json } from '#platform/http/response.ts';

// Built once per container: the document only changes with a deployment.
let body: string | undefined;

export const handler = async (event: APIGatewayProxyEventV2) => {
  body ??= JSON.stringify(openApiDocument(`https://${event.requestContext.domainName}`));
  return { ...json(200, null, { 'cache-control': 'public, max-age=300' }), body };
};
