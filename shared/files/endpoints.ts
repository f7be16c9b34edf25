import type { Endpoint } from '#platform/http/endpoint.ts';
import { error, idSchema, jsonBody, jsonContent } from '#platform/http/openapi-parts.ts';

const SITE_KEY_ONLY = 'Files are uploaded and followed with a site key, not the admin key.';

/** File uploads (functions/files/api.ts); a site may also drop files into its incoming/ prefix directly. */
export const UPLOAD_ENDPOINTS = [
  {
    key: 'POST /v1/uploads',
    access: ['site'],
    denied: SITE_KEY_ONLY,
    operation: {
      summary:
        "A presigned PUT URL for one file (CSV, CVRS or HL7 batch) under the site's incoming/ prefix; a sending facility may name a client site",
      requestBody: jsonBody('UploadRequest'),
      responses: {
        '201': { description: 'Where and how to PUT the file', content: jsonContent('UploadUrl') },
        '400': error('Not a plain file name, or an unknown content type (REQ005)'),
      },
    },
  },
  {
    key: 'GET /v1/uploads',
    access: ['site'],
    denied: SITE_KEY_ONLY,
    operation: {
      summary:
        "A site's uploads, newest first, with progress and counts (a sending facility may name a client site)",
      parameters: [
        { name: 'iis_id', in: 'query', required: false, schema: { type: 'string', maxLength: 20 } },
        {
          name: 'limit',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: 100 },
        },
        {
          name: 'before',
          in: 'query',
          required: false,
          description: 'The created_at of the last upload shown (next_before): the page after it.',
          schema: { type: 'string', format: 'date-time' },
        },
      ],
      requestBody: 'none',
      responses: {
        '200': { description: 'The uploads', content: jsonContent('UploadList') },
        '400': error('A malformed limit or before (REQ008)'),
        '403': error('Not your site or a client site of yours (AUTH004)'),
      },
    },
  },
  {
    key: 'GET /v1/uploads/{upload_id}',
    access: ['site'],
    denied: SITE_KEY_ONLY,
    operation: {
      summary:
        "An upload's progress; when done its summary and links to the results; what failed on the way, if anything",
      parameters: [{ name: 'upload_id', in: 'path', required: true, schema: idSchema('upload_id') }],
      requestBody: 'none',
      responses: {
        '200': { description: 'The upload', content: jsonContent('Upload') },
        '404': error('No such upload for this site'),
      },
    },
  },
] as const satisfies readonly Endpoint[];

export const UPLOAD_SCHEMAS = {
  UploadList: {
    type: 'object',
    required: ['iis_id', 'uploads', 'next_before'],
    properties: {
      iis_id: { type: 'string' },
      uploads: {
        type: 'array',
        items: {
          type: 'object',
          required: ['upload_id', 'name', 'status', 'created_at', 'updated_at'],
          properties: {
            upload_id: { type: 'string' },
            name: { type: 'string' },
            status: { type: 'string', description: 'received, processing, completed or failed' },
            created_at: { type: 'string', format: 'date-time' },
            updated_at: { type: 'string', format: 'date-time' },
            rows_total: { type: ['integer', 'null'] },
            rows_processed: { type: 'integer' },
            duplicate_of: { type: ['string', 'null'] },
            counts: {
              type: ['object', 'null'],
              description: 'When completed: accepted, rejected, duplicates, warnings',
            },
          },
        },
      },
      next_before: {
        type: ['string', 'null'],
        description: 'Pass as before for the next page; null at the end.',
      },
    },
  },
  UploadRequest: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'The file name, e.g. clinic-2021-03-10.csv (no folders).' },
      iis_id: { type: 'string', maxLength: 20, description: 'A client site (sending facilities only).' },
      content_type: {
        type: 'string',
        enum: ['text/csv', 'text/plain', 'text/tab-separated-values'],
        description: 'Content-Type to PUT with; default text/csv.',
      },
    },
  },
  UploadUrl: {
    type: 'object',
    required: ['upload_id', 'method', 'url', 'headers', 'expires_at'],
    properties: {
      upload_id: { type: 'string' },
      method: { const: 'PUT' },
      url: { type: 'string', format: 'uri' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      expires_at: { type: 'string', format: 'date-time' },
    },
  },
  Upload: {
    type: 'object',
    required: ['upload_id', 'iis_id', 'name', 'status', 'created_at', 'updated_at'],
    properties: {
      upload_id: { type: 'string' },
      iis_id: { type: 'string' },
      name: { type: 'string' },
      status: { type: 'string', description: 'received, processing, completed or failed' },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
      rows_total: { type: ['integer', 'null'] },
      rows_processed: { type: 'integer' },
      duplicate_of: { type: ['string', 'null'] },
      file_findings: { type: 'array', items: { $ref: '#/components/schemas/Finding' } },
      failures: {
        type: 'array',
        description: 'What failed on the way (error code, stage, chunk), no row content.',
      },
      summary: { type: ['object', 'null'] },
      results_url: { type: ['string', 'null'], format: 'uri' },
      summary_url: { type: ['string', 'null'], format: 'uri' },
    },
  },
};
