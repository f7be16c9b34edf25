import * as z from 'zod/mini';
import {
  DoseBatch,
  DoseInput,
  ErrorResponse,
  FindingSchema,
  MAX_DOSES_PER_REQUEST,
  SubmitResponse,
} from '#doses/schema.ts';
import { SiteInput } from '#sites/site.ts';
import { REASON_CODES, WASTAGE_REASONS } from '#stock/reasons.ts';
import { RULES } from '../findings.ts';
import { ID_MAX_BYTES } from './identifiers.ts';
import { API_GATEWAY_MAX_BODY_BYTES, MAX_BODY_BYTES } from './limits.ts';

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
/** Identifiers are at most this many bytes (UTF-8; they are ASCII, so characters); longer is 400 REQ009. */
const idSchema = (field: keyof typeof ID_MAX_BYTES, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  minLength: 1,
  maxLength: ID_MAX_BYTES[field],
  ...extra,
});
const eventIdParam = {
  name: 'vax_event_id',
  in: 'path',
  required: true,
  description: `At most ${ID_MAX_BYTES.vax_event_id} characters (printable ASCII); a longer one is 400 REQ009.`,
  schema: idSchema('vax_event_id'),
};
const siteParam = {
  name: 'iis_id',
  in: 'query',
  required: false,
  description: `A client site of the caller (sending facilities only); defaults to the caller's site. A CAIR Org Code: at most ${ID_MAX_BYTES.iis_id} characters; longer is 400 REQ009.`,
  schema: idSchema('iis_id', { pattern: '^[A-Za-z0-9-]{1,20}$' }),
};
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: true,
  description:
    'ETag of the version being changed (e.g. "3"), a list of ETags (any may match), or * for the current version. Weak or unknown tags never match (412); a value that is not an ETag list is 400.',
  schema: { type: 'string' },
};
const common = { '401': error('No or invalid key'), '403': error('Not allowed for this key') };

// --- vaccine accountability: no zod schemas there (shared/stock parses by hand), so hand-written JSON Schema ---

/** Receipts or wastage reports per request (functions/stock/api.ts enforces the same limit). */
const MAX_STOCK_RECORDS_PER_REQUEST = 1000;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const lotParams = [
  {
    name: 'ndc',
    in: 'path',
    required: true,
    description:
      "NDC of the vial or syringe, 5-4-2 with hyphens; a carton's NDC is read as its unit of use (80777-0273-99 → 80777-0273-10).",
    schema: idSchema('ndc'),
  },
  {
    name: 'lot_number',
    in: 'path',
    required: true,
    description: 'Lot number as printed on the vial (read upper-case).',
    schema: idSchema('lot_number', { pattern: '^[A-Za-z0-9-]{1,20}$' }),
  },
];
const inputDate = (description: string) => ({
  type: 'string',
  description: `${description} YYYY-MM-DD (YYYYMMDD and MM/DD/YYYY are read too).`,
  examples: ['2021-06-30'],
});
const day = { type: 'string', format: 'date' };
const orNull = (s: Record<string, unknown>) => ({ oneOf: [s, { type: 'null' }] });
const stockKeyProps = {
  record_id: {
    type: 'string',
    pattern: '^[A-Za-z0-9._:-]{1,64}$',
    description:
      "The site's own ID of this record: sending it again is answered as a duplicate; reusing it for a different record is refused (STK009).",
  },
  ndc: { type: 'string', description: "NDC, 5-4-2 with hyphens; a carton's NDC is read as its unit of use." },
  lot_number: { type: 'string', pattern: '^[A-Za-z0-9-]{1,20}$' },
  doses: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Number of doses (not vials).' },
};
const batchOf = (list: string, item: string) => ({
  type: 'object',
  required: [list],
  properties: {
    [list]: { type: 'array', items: ref(item), minItems: 1, maxItems: MAX_STOCK_RECORDS_PER_REQUEST },
  },
});
const versionItem = (valueField: string) => ({
  type: 'object',
  required: ['version', valueField, 'effective_at', 'effective_day', 'set_by'],
  properties: {
    version: { type: 'integer', minimum: 1 },
    [valueField]: day,
    effective_at: { type: 'string', format: 'date-time' },
    effective_day: { ...day, description: 'California day from which this version is in force.' },
    set_by: { type: 'string', description: '"admin" for expirations; the site for beyond-use dates.' },
  },
});
const beyondUseProps = {
  iis_id: { type: 'string' },
  beyond_use_date: orNull(day),
  version: orNull({ type: 'integer' }),
  effective_at: orNull({ type: 'string', format: 'date-time' }),
  history: { type: 'array', items: ref('BeyondUseVersion') },
};
const stockSchemas = {
  Finding: schema(FindingSchema),
  LotExpirationInput: {
    type: 'object',
    required: ['expiration'],
    properties: { expiration: inputDate("The lot's manufacturer expiration.") },
  },
  ExpirationVersion: versionItem('expiration'),
  BeyondUseVersion: versionItem('beyond_use_date'),
  Lot: {
    type: 'object',
    required: ['ndc', 'lot_number', 'expiration', 'version', 'effective_at', 'history'],
    properties: {
      ndc: { type: 'string', description: 'Unit-of-use NDC.' },
      lot_number: { type: 'string' },
      expiration: { ...orNull(day), description: 'The expiration in force today (null: none on record).' },
      version: orNull({ type: 'integer' }),
      effective_at: orNull({ type: 'string', format: 'date-time' }),
      history: {
        type: 'array',
        items: ref('ExpirationVersion'),
        description: 'Every version, oldest first.',
      },
      beyond_use: {
        type: 'object',
        description:
          "Site keys only: the calling site's own beyond-use dates of the lot (never another site's).",
        required: Object.keys(beyondUseProps),
        properties: beyondUseProps,
      },
    },
  },
  BeyondUseInput: {
    type: 'object',
    required: ['beyond_use_date'],
    properties: {
      beyond_use_date: inputDate(
        "The site's beyond-use date (after thaw or puncture); not after the expiration.",
      ),
    },
  },
  BeyondUse: {
    type: 'object',
    required: ['ndc', 'lot_number', 'expiration', ...Object.keys(beyondUseProps), 'issues'],
    properties: {
      ndc: { type: 'string' },
      lot_number: { type: 'string' },
      expiration: { ...orNull(day), description: 'The expiration the date was checked against.' },
      ...beyondUseProps,
      issues: { type: 'array', items: ref('Finding'), description: 'Warnings, e.g. STK005 (no expiration).' },
    },
  },
  Receipt: {
    type: 'object',
    required: ['record_id', 'ndc', 'lot_number', 'doses', 'date'],
    properties: {
      ...stockKeyProps,
      date: inputDate('Day received; not after today (California).'),
      from_iis_id: {
        type: 'string',
        description:
          "A transfer: the enrolled site the doses came from. The sender's side is recorded too only when your key acts for the sending site (its own key, or its sending facility's, which acts for all its clients); otherwise the receipt is recorded here only and the sender reports its side with POST /v1/inventory/transfers (STK015 within one organization, STK011 from another).",
      },
    },
  },
  ReceiptBatch: batchOf('receipts', 'Receipt'),
  TransferOut: {
    type: 'object',
    required: ['record_id', 'ndc', 'lot_number', 'doses', 'date', 'to_iis_id'],
    properties: {
      ...stockKeyProps,
      date: inputDate('Day the doses left; not after today (California).'),
      to_iis_id: {
        type: 'string',
        description:
          "The enrolled site (of another organization) the doses went to; it records its receipt. Within one organization the receipt records both sides: don't report them here too.",
      },
    },
  },
  TransferOutBatch: batchOf('transfers', 'TransferOut'),
  Wastage: {
    type: 'object',
    required: ['record_id', 'ndc', 'lot_number', 'doses', 'date', 'reason'],
    properties: {
      ...stockKeyProps,
      date: inputDate('Day the doses were lost; not after today (California).'),
      reason: {
        type: 'string',
        enum: REASON_CODES,
        description: REASON_CODES.map(
          (r) => `${r}: ${WASTAGE_REASONS[r].label} (${WASTAGE_REASONS[r].category})`,
        ).join('; '),
      },
      reason_text: {
        type: 'string',
        maxLength: 200,
        description: 'What happened; required with reason "other".',
      },
    },
  },
  WastageBatch: batchOf('wastage', 'Wastage'),
  StockResults: {
    type: 'object',
    required: ['results'],
    properties: {
      results: {
        type: 'array',
        description: 'One result per record, in request order.',
        items: {
          type: 'object',
          required: ['status', 'issues'],
          properties: {
            record_id: { type: 'string' },
            status: { type: 'string', enum: ['accepted', 'rejected', 'duplicate'] },
            issues: { type: 'array', items: ref('Finding') },
          },
        },
      },
    },
  },
};
const recordsBody = (one: string, batch: string) => ({
  required: true,
  content: { 'application/json': { schema: { oneOf: [ref(one), ref(batch)] } } },
});
const recordsResponses = {
  '200': { description: 'A result per record, in order', content: jsonContent('StockResults') },
  '400': error('Malformed JSON or body shape'),
  '413': error('Body or batch too large'),
  '415': error('Not JSON'),
  ...common,
};
const stockPaths = {
  '/v1/lots/{ndc}/{lot_number}': {
    get: {
      summary:
        "A lot's expiration and its history (any key); with a site key also the site's own beyond-use dates",
      parameters: [
        ...lotParams,
        {
          ...siteParam,
          description: 'A client site of the caller whose beyond-use dates to show (sending facilities).',
        },
      ],
      responses: {
        '200': { description: 'The lot', content: jsonContent('Lot') },
        '400': error('Not an NDC of a COVID-19 vaccine, or not a lot number'),
        '404': error('Neither an expiration nor a beyond-use date of the caller on record'),
        ...common,
      },
    },
    put: {
      summary: "Set or extend a lot's expiration (admin); a change is a new version, earlier ones are kept",
      parameters: lotParams,
      requestBody: { required: true, content: jsonContent('LotExpirationInput') },
      responses: {
        '200': {
          description: 'Unchanged: the newest version already says this',
          content: jsonContent('Lot'),
        },
        '201': { description: 'Stored as a new version', content: jsonContent('Lot') },
        '400': error('Invalid NDC, lot number or expiration (issues list every finding)'),
        '415': error('Not JSON'),
        ...common,
      },
    },
  },
  '/v1/lots/{ndc}/{lot_number}/beyond-use': {
    put: {
      summary: "Record the site's beyond-use date of a lot (site key); checked against the expiration",
      parameters: [...lotParams, siteParam],
      requestBody: { required: true, content: jsonContent('BeyondUseInput') },
      responses: {
        '200': {
          description: 'Unchanged: the newest version already says this',
          content: jsonContent('BeyondUse'),
        },
        '201': { description: 'Stored as a new version', content: jsonContent('BeyondUse') },
        '400': error('Invalid date, or later than the expiration (STK007)'),
        '415': error('Not JSON'),
        ...common,
      },
    },
  },
  '/v1/inventory/receipts': {
    post: {
      summary: `Report doses received or transferred in (site key): one receipt or up to ${MAX_STOCK_RECORDS_PER_REQUEST}`,
      parameters: [siteParam],
      requestBody: recordsBody('Receipt', 'ReceiptBatch'),
      responses: recordsResponses,
    },
  },
  '/v1/inventory/transfers': {
    post: {
      summary: `Report doses sent to a site of another organization (site key): one transfer or up to ${MAX_STOCK_RECORDS_PER_REQUEST}`,
      parameters: [siteParam],
      requestBody: recordsBody('TransferOut', 'TransferOutBatch'),
      responses: recordsResponses,
    },
  },
  '/v1/wastage': {
    post: {
      summary: `Report doses lost, with the reason (site key): one report or up to ${MAX_STOCK_RECORDS_PER_REQUEST}`,
      parameters: [siteParam],
      requestBody: recordsBody('Wastage', 'WastageBatch'),
      responses: recordsResponses,
    },
  },
};

/** The OpenAPI 3.1 document, generated from the same zod schemas the handlers use. */
export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'California COVID-19 dose reporting pipeline',
      version: '1',
      description: `Report COVID-19 doses to the regional CAIR registry and CDC. Bodies up to ${MAX_BODY_BYTES} bytes (UTF-8, as sent; JSON and SOAP alike): larger is 413, from the function up to ${API_GATEWAY_MAX_BODY_BYTES} bytes and from API Gateway beyond. ${MAX_BODY_BYTES} is the largest body AWS admits whatever its bytes: API Gateway hands it to Lambda escaped in a JSON event of at most 6 MB, where a byte can take six. Up to ${MAX_DOSES_PER_REQUEST} doses per request. Identifiers in paths and queries have the maxLength given (bytes; longer is 400 REQ009). Findings codes: ${Object.keys(RULES).join(', ')}.`,
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
        ...stockSchemas,
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
            '400': error('An identifier longer than its maxLength (REQ009)'),
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
            '400': error(
              'Malformed If-Match (REQ006), body, or an identifier longer than its maxLength (REQ009)',
            ),
            '412': error('Changed since read'),
            '422': error('Rejected by the rules'),
            '428': error('If-Match missing'),
            ...common,
          },
        },
        delete: {
          summary: 'Delete a dose (logical; HL7 action D)',
          parameters: [eventIdParam, siteParam, ifMatch],
          responses: {
            '200': { description: 'Deleted' },
            '400': error('Malformed If-Match (REQ006) or an identifier longer than its maxLength (REQ009)'),
            '412': error('Changed since read'),
            ...common,
          },
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
      ...stockPaths,
      '/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
    },
  };
}
