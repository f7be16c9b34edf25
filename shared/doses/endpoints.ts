import type { Endpoint } from '#platform/http/endpoint.ts';
import {
  error,
  eventIdParam,
  ifMatch,
  jsonBody,
  jsonContent,
  ref,
  siteParam,
} from '#platform/http/openapi-parts.ts';

const SITE_KEY_ONLY = 'Doses are submitted and read with a site key, not the admin key.';

/** The doses API (functions/doses/api.ts). */
export const DOSE_ENDPOINTS = [
  {
    key: 'POST /v1/doses',
    access: ['site'],
    denied: SITE_KEY_ONLY,
    operation: {
      summary: 'Submit one dose or a batch',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { oneOf: [ref('Dose'), ref('DoseBatch')] } } },
      },
      responses: {
        '200': { description: 'A result per dose, in order', content: jsonContent('SubmitResponse') },
        '400': error('Malformed JSON or body shape'),
        '413': error('Body or batch too large'),
        '415': error('Not JSON'),
      },
    },
  },
  {
    key: 'GET /v1/doses/{vax_event_id}',
    access: ['site'],
    denied: SITE_KEY_ONLY,
    operation: {
      summary: 'Read the current version of a dose with its report status (ETag = version)',
      parameters: [eventIdParam, siteParam],
      requestBody: 'none',
      responses: {
        '200': {
          description: 'The dose, its version and where it was reported',
          content: jsonContent('Dose'),
        },
        '400': error('An identifier longer than its maxLength (REQ009)'),
        '404': error('No such dose for this site'),
      },
    },
  },
  {
    key: 'PUT /v1/doses/{vax_event_id}',
    access: ['site'],
    denied: SITE_KEY_ONLY,
    operation: {
      summary: 'Update a dose (HL7 action U)',
      parameters: [eventIdParam, siteParam, ifMatch],
      requestBody: jsonBody('Dose'),
      responses: {
        '200': { description: 'Stored as a new version', content: jsonContent('SubmitResponse') },
        '400': error(
          'Malformed If-Match (REQ006), body, or an identifier longer than its maxLength (REQ009)',
        ),
        '412': error('Changed since read'),
        '422': error('Rejected by the rules'),
        '428': error('If-Match missing'),
      },
    },
  },
  {
    key: 'DELETE /v1/doses/{vax_event_id}',
    access: ['site'],
    denied: SITE_KEY_ONLY,
    operation: {
      summary: 'Delete a dose (logical; HL7 action D)',
      parameters: [eventIdParam, siteParam, ifMatch],
      requestBody: 'none',
      responses: {
        '200': { description: 'Deleted', content: jsonContent('SubmitResponse') },
        '400': error('Malformed If-Match (REQ006) or an identifier longer than its maxLength (REQ009)'),
        '412': error('Changed since read'),
      },
    },
  },
] as const satisfies readonly Endpoint[];

const soapFault = {
  description: 'SOAP 1.2 Fault',
  content: { 'application/soap+xml': { schema: { type: 'string' } } },
};

/** The CDC IIS SOAP web service (functions/doses/soap.ts): public routes, the caller authenticates in the body. */
export const SOAP_ENDPOINTS = [
  {
    key: 'GET /v1/iis',
    access: 'public',
    operation: {
      summary: "The WSDL of CDC's IIS web service (urn:cdc:iisb:2011), with this endpoint's address",
      requestBody: 'none',
      responses: { '200': { description: 'WSDL', content: { 'text/xml': { schema: { type: 'string' } } } } },
    },
  },
  {
    key: 'POST /v1/iis',
    access: 'public',
    operation: {
      summary:
        "SOAP 1.2 submitSingleMessage (an HL7 v2.5.1 VXU, answered with its ACK; or a QBP^Q11 Z34/Z44 query, answered with RSP^K11) or connectivityTest; username = the site's Org Code, password = its key",
      requestBody: {
        required: true,
        content: {
          'application/soap+xml': { schema: { type: 'string', description: 'A SOAP 1.2 envelope' } },
        },
      },
      responses: {
        '200': {
          description: 'submitSingleMessageResponse with the ACK, or connectivityTestResponse',
          content: { 'application/soap+xml': { schema: { type: 'string' } } },
        },
        '400': soapFault,
        '413': soapFault,
        '415': soapFault,
        '500': soapFault,
      },
    },
  },
] as const satisfies readonly Endpoint[];
