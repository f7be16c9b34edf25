import type { Endpoint } from '#platform/http/endpoint.ts';
import { error, idSchema, jsonBody, jsonContent, ref, siteParam } from '#platform/http/openapi-parts.ts';
import { REASON_CODES, WASTAGE_REASONS } from './reasons.ts';

// Vaccine accountability: hand-written JSON Schema (the zod schemas in schema.ts and fields.ts use transforms
// JSON Schema cannot express).

/** Receipts, transfers or wastage reports per request: declared here, enforced by shared/stock/bodies.ts. */
export const MAX_STOCK_RECORDS_PER_REQUEST = 1000;
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
export const STOCK_SCHEMAS = {
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
};
const reportParams = [
  {
    name: 'date',
    in: 'query',
    required: true,
    description: 'The California day of the roll-up, YYYY-MM-DD.',
    schema: { type: 'string', format: 'date' },
  },
  { ...siteParam, description: "One site's rows: a client site (sending facilities) or any site (admin)." },
];
const reportResponses = {
  '200': {
    description: "The day's rows for the caller's scope (statewide for the admin: links to CSV and JSON)",
  },
  '400': error('No or malformed ?date= (REQ008)'),
  '404': error('The roll-up of that day has not run yet (RPT001)'),
};
const lotAccess =
  "Beyond-use dates and stock are recorded with the site's own key (or its sending facility's), not the admin key.";

/** Lots, beyond-use dates, receipts, transfers and wastage (functions/stock/api.ts). */
export const STOCK_ENDPOINTS = [
  {
    key: 'GET /v1/lots/{ndc}/{lot_number}',
    access: ['site', 'program', 'admin'],
    operation: {
      summary:
        "A lot's expiration and its history (any key); with a site key also the site's own beyond-use dates",
      parameters: [
        ...lotParams,
        {
          ...siteParam,
          description: 'A client site of the caller whose beyond-use dates to show (sending facilities).',
        },
      ],
      requestBody: 'none',
      responses: {
        '200': { description: 'The lot', content: jsonContent('Lot') },
        '400': error('Not an NDC of a COVID-19 vaccine, or not a lot number'),
        '404': error('Neither an expiration nor a beyond-use date of the caller on record'),
      },
    },
  },
  {
    key: 'PUT /v1/lots/{ndc}/{lot_number}',
    access: ['admin'],
    denied:
      "Lot expirations are set by the program with the admin key; a site key cannot change them. Record your site's beyond-use date with PUT /v1/lots/{ndc}/{lot_number}/beyond-use.",
    operation: {
      summary: "Set or extend a lot's expiration (admin); a change is a new version, earlier ones are kept",
      parameters: lotParams,
      requestBody: jsonBody('LotExpirationInput'),
      responses: {
        '200': {
          description: 'Unchanged: the newest version already says this',
          content: jsonContent('Lot'),
        },
        '201': { description: 'Stored as a new version', content: jsonContent('Lot') },
        '400': error('Invalid NDC, lot number or expiration (issues list every finding)'),
        '415': error('Not JSON'),
      },
    },
  },
  {
    key: 'PUT /v1/lots/{ndc}/{lot_number}/beyond-use',
    access: ['site'],
    denied: lotAccess,
    operation: {
      summary: "Record the site's beyond-use date of a lot (site key); checked against the expiration",
      parameters: [...lotParams, siteParam],
      requestBody: jsonBody('BeyondUseInput'),
      responses: {
        '200': {
          description: 'Unchanged: the newest version already says this',
          content: jsonContent('BeyondUse'),
        },
        '201': { description: 'Stored as a new version', content: jsonContent('BeyondUse') },
        '400': error('Invalid date, or later than the expiration (STK007)'),
        '415': error('Not JSON'),
      },
    },
  },
  {
    key: 'POST /v1/inventory/receipts',
    access: ['site'],
    denied: lotAccess,
    operation: {
      summary: `Report doses received or transferred in (site key): one receipt or up to ${MAX_STOCK_RECORDS_PER_REQUEST}`,
      parameters: [siteParam],
      requestBody: recordsBody('Receipt', 'ReceiptBatch'),
      responses: recordsResponses,
    },
  },
  {
    key: 'POST /v1/inventory/transfers',
    access: ['site'],
    denied: lotAccess,
    operation: {
      summary: `Report doses sent to a site of another organization (site key): one transfer or up to ${MAX_STOCK_RECORDS_PER_REQUEST}`,
      parameters: [siteParam],
      requestBody: recordsBody('TransferOut', 'TransferOutBatch'),
      responses: recordsResponses,
    },
  },
  {
    key: 'POST /v1/wastage',
    access: ['site'],
    denied: lotAccess,
    operation: {
      summary: `Report doses lost, with the reason (site key): one report or up to ${MAX_STOCK_RECORDS_PER_REQUEST}`,
      parameters: [siteParam],
      requestBody: recordsBody('Wastage', 'WastageBatch'),
      responses: recordsResponses,
    },
  },
] as const satisfies readonly Endpoint[];

/** The nightly accountability reports (functions/stock/reports.ts): a site its own rows, the admin all. */
export const REPORT_ENDPOINTS = (
  [
    [
      'wastage',
      'Accountability per site and lot: received, given, wasted by reason, on hand; with totals',
      [],
    ],
    [
      'expiring',
      'Lots with doses on hand that expired or expire soon (or pass their beyond-use date)',
      [
        {
          name: 'within',
          in: 'query',
          required: false,
          description: 'expired, 7 or 30 (days; default 30).',
          schema: { type: 'string', enum: ['expired', '7', '30'] },
        },
      ],
    ],
    ['admin-errors', "Doses given after their lot expired or past the site's beyond-use date", []],
  ] as const
).map(([kind, summary, extra]) => ({
  key: `GET /v1/reports/${kind}` as const,
  // Doses given in error is a list of doses (their event IDs): not for program staff, who never read a dose.
  access:
    kind === 'admin-errors' ? (['site', 'admin'] as const) : (['site', 'program', 'admin'] as const),
  operation: {
    summary,
    parameters: [...reportParams, ...extra],
    requestBody: 'none' as const,
    responses: reportResponses,
  },
})) satisfies readonly Endpoint[];
