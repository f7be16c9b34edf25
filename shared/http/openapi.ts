import * as z from 'zod/mini';
import {
  DoseBatch,
  DoseInput,
  ErrorResponse,
  MAX_DOSES_PER_REQUEST,
  SubmitResponse,
} from '../domain/dose-schema.ts';
import { RULES } from '../domain/findings.ts';
import { SiteInput } from '../domain/site.ts';
import { MAX_BODY_BYTES } from './request.ts';

const schema = (s: z.core.$ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

const jsonContent = (ref: string) => ({
  'application/json': { schema: { $ref: `#/components/schemas/${ref}` } },
});
const error = (description: string) => ({ description, content: jsonContent('Error') });
const eventIdParam = { name: 'vax_event_id', in: 'path', required: true, schema: { type: 'string' } };
const siteParam = {
  name: 'iis_id',
  in: 'query',
  required: false,
  description: "A client site of the caller (sending facilities only); defaults to the caller's site.",
  schema: { type: 'string' },
};
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: true,
  description: 'ETag of the version being changed.',
  schema: { type: 'string' },
};
const common = { '401': error('No or invalid key'), '403': error('Not allowed for this key') };

/** The OpenAPI 3.1 document, generated from the same zod schemas the handlers use. */
export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'California COVID-19 dose reporting pipeline',
      version: '1',
      description: `Report COVID-19 doses to the regional CAIR registry and CDC. Bodies up to ${MAX_BODY_BYTES} bytes, up to ${MAX_DOSES_PER_REQUEST} doses per request. Findings codes: ${Object.keys(RULES).join(', ')}.`,
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
      },
    },
    paths: {
      '/v1/doses': {
        post: {
          summary: 'Submit one dose or a batch',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [{ $ref: '#/components/schemas/Dose' }, { $ref: '#/components/schemas/DoseBatch' }],
                },
              },
            },
          },
          responses: {
            '200': { description: 'A result per dose, in order', content: jsonContent('SubmitResponse') },
            '400': error('Malformed JSON or body shape'),
            '413': error('Body or batch too large'),
            '415': error('Not JSON'),
            ...common,
          },
        },
      },
      '/v1/doses/{vax_event_id}': {
        get: {
          summary: 'Read the current version of a dose with its report status (ETag = version)',
          parameters: [eventIdParam, siteParam],
          responses: {
            '200': { description: 'The dose' },
            '404': error('No such dose for this site'),
            ...common,
          },
        },
        put: {
          summary: 'Update a dose (HL7 action U)',
          parameters: [eventIdParam, siteParam, ifMatch],
          requestBody: { required: true, content: jsonContent('Dose') },
          responses: {
            '200': { description: 'Stored as a new version' },
            '412': error('Changed since read'),
            '422': error('Rejected by the rules'),
            '428': error('If-Match missing'),
            ...common,
          },
        },
        delete: {
          summary: 'Delete a dose (logical; HL7 action D)',
          parameters: [eventIdParam, siteParam, ifMatch],
          responses: { '200': { description: 'Deleted' }, '412': error('Changed since read'), ...common },
        },
      },
      '/v1/sites': {
        post: {
          summary: 'Enroll a site (admin); the key is shown once',
          requestBody: { required: true, content: jsonContent('Site') },
          responses: { '201': { description: 'Enrolled' }, '409': error('Already enrolled'), ...common },
        },
      },
      '/v1/sites/{iis_id}': {
        get: {
          summary: 'Read a site (admin)',
          parameters: [{ ...siteParam, in: 'path', required: true }],
          responses: common,
        },
      },
      '/v1/sites/{iis_id}/keys': {
        post: {
          summary: 'Rotate: issue a new key, revoke the others (admin)',
          parameters: [{ ...siteParam, in: 'path', required: true }],
          responses: common,
        },
        delete: {
          summary: 'Revoke every key of the site (admin)',
          parameters: [{ ...siteParam, in: 'path', required: true }],
          responses: common,
        },
      },
      '/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
    },
  };
}
