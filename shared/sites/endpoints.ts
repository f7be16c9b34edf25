import type { Endpoint } from '#platform/http/endpoint.ts';
import { error, jsonBody, sitePathParam } from '#platform/http/openapi-parts.ts';

const siteAnswer = { description: 'The site and its keys (a new key is shown once)' };

/** Site enrollment and keys (functions/sites/api.ts): the program's admin key only. */
export const SITE_ENDPOINTS = [
  {
    key: 'POST /v1/sites',
    access: ['admin'],
    operation: {
      summary: 'Enroll a site (admin); the key is shown once',
      requestBody: jsonBody('Site'),
      responses: {
        '201': { description: 'Enrolled' },
        '400': error('Invalid site (issues list every finding)'),
        '409': error('Already enrolled'),
      },
    },
  },
  {
    key: 'GET /v1/sites/{iis_id}',
    access: ['admin'],
    operation: {
      summary: 'Read a site (admin)',
      parameters: [sitePathParam],
      requestBody: 'none',
      responses: { '200': siteAnswer, '404': error('Not enrolled') },
    },
  },
  {
    key: 'POST /v1/sites/{iis_id}/keys',
    access: ['admin'],
    operation: {
      summary: 'Rotate: issue a new key, revoke the others (admin)',
      parameters: [sitePathParam],
      requestBody: 'none',
      responses: { '201': siteAnswer, '404': error('Not enrolled') },
    },
  },
  {
    key: 'DELETE /v1/sites/{iis_id}/keys',
    access: ['admin'],
    operation: {
      summary: 'Revoke every key of the site (admin)',
      parameters: [sitePathParam],
      requestBody: 'none',
      responses: { '200': { description: 'Revoked' }, '404': error('Not enrolled') },
    },
  },
] as const satisfies readonly Endpoint[];
