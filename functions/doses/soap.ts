import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { cdcIisWsdl } from '#codecs/soap/cdc-iis.wsdl.ts';
import { fault } from '#doses/soap-answers.ts';
import { takeSoapPost } from '#doses/soap-intake.ts';
import { errorName, logger } from '#platform/logger.ts';

type Result = APIGatewayProxyStructuredResultV2;

/**
 * The CDC IIS SOAP web service (WSDL `urn:cdc:iisb:2011`) for EHRs: `GET /v1/iis` serves the WSDL, `POST /v1/iis`
 * takes SOAP 1.2 `connectivityTest` and `submitSingleMessage`. Public routes: the caller authenticates in the
 * body, username = the site's CAIR Org Code (iis_id), password = its API key.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<Result> => {
  if (event.routeKey === 'GET /v1/iis') return wsdl(event);
  if (event.routeKey === 'POST /v1/iis') {
    try {
      return await takeSoapPost({
        contentType: event.headers?.['content-type'],
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
      });
    } catch (err) {
      // A Receiver fault: the sender may send the message again; stored doses are recognized as duplicates.
      logger.error('SOAP request failed', {
        error: errorName(err),
        requestId: event.requestContext.requestId,
      });
      return fault('fault', 'The message could not be processed now. Send it again later.');
    }
  }
  return { statusCode: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found\n' };
};

let wsdlBody: string | undefined;

function wsdl(event: APIGatewayProxyEventV2): Result {
  wsdlBody ??= cdcIisWsdl(`https://${event.requestContext.domainName}/v1/iis`);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/wsdl+xml; charset=utf-8',
      'cache-control': 'public, max-age=300',
    },
    body: wsdlBody,
  };
}
