import type { Endpoint } from '#platform/http/endpoint.ts';
import { error, jsonBody, jsonContent, ref } from '#platform/http/openapi-parts.ts';

// The consolidated record (issue 14): hand-written JSON Schema, like the stock API's.

const personParam = {
  name: 'person_id',
  in: 'path',
  required: true,
  description: "The pipeline's person ID (from a search or a follow-up list).",
  schema: { type: 'string', pattern: '^P[0-9a-z]{8,40}$' },
};
const day = { type: 'string', format: 'date' };
const text = { type: 'string' };
const siteEvent = {
  type: 'object',
  required: ['iis_id'],
  properties: {
    iis_id: text,
    vax_event_id: { ...text, description: "Only for the caller's own site's reports." },
  },
};
const ADMIN_ONLY = 'Reviews, merges and splits of person records are done with the admin key.';

export const PERSON_SCHEMAS = {
  PersonSearch: {
    type: 'object',
    required: ['first_name', 'last_name', 'dob'],
    properties: {
      first_name: text,
      middle_name: text,
      last_name: text,
      dob: { ...day, description: 'YYYY-MM-DD (YYYYMMDD and MM/DD/YYYY are read too).' },
      sex: { type: 'string', enum: ['F', 'M', 'X', 'U'] },
      zip: { type: 'string', pattern: '^[0-9]{5}(-?[0-9]{4})?$' },
      recip_id: { ...text, description: "The caller's own patient ID of this person (CVRS recip_id)." },
    },
  },
  PersonDose: {
    type: 'object',
    required: ['admin_date', 'iis_id', 'reported_by', 'evaluation'],
    properties: {
      admin_date: day,
      iis_id: { ...text, description: 'The site that gave the dose (the first to report it).' },
      vax_event_id: { ...text, description: "Only when the caller's site reported it." },
      cvx: text,
      mvx: text,
      ndc: text,
      lot_number: text,
      dose_num: { ...text, description: 'As the site reported it.' },
      historical: { type: 'boolean' },
      reported_by: { type: 'array', items: siteEvent },
      evaluation: {
        type: 'object',
        properties: {
          valid: { type: 'boolean' },
          series_dose: { type: 'integer' },
          series: text,
          reason: text,
        },
      },
      status: {
        type: 'object',
        description: "Where the caller's own report stands (registry and CDC), when it is the caller's.",
      },
    },
  },
  Forecast: {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: ['complete', 'due', 'not_yet_due', 'overdue', 'not_started'] },
      series: text,
      next_dose: { type: 'integer' },
      earliest: day,
      due: day,
      overdue_after: day,
      cvx: text,
    },
  },
  PersonRecord: {
    type: 'object',
    required: ['person_id', 'doses', 'forecast', 'checks'],
    properties: {
      person_id: text,
      merged_from: { type: 'array', items: text },
      demographics: { type: 'object', description: 'Name, DOB, sex and ZIP as most recently reported.' },
      doses: { type: 'array', items: ref('PersonDose') },
      forecast: ref('Forecast'),
      checks: {
        type: 'array',
        items: ref('Finding'),
        description:
          "Warnings (PER…) where the caller's reports disagree with the consolidated record (dose number, series complete, too early).",
      },
    },
  },
  PersonSearchResult: {
    type: 'object',
    required: ['match'],
    properties: {
      match: { type: 'string', enum: ['one', 'several', 'none'] },
      message: text,
      person: ref('PersonRecord'),
    },
  },
} as const;

/** The persons API (functions/persons/api.ts). */
export const PERSON_ENDPOINTS = [
  {
    key: 'POST /v1/persons/search',
    access: ['site', 'admin'],
    reads: true,
    operation: {
      summary: "Find one person's consolidated record (never a listing; every search is access-logged)",
      description:
        'Names and DOB are required; sex, ZIP or your own patient ID narrow it. Exactly one person → the record; several possible → `several` with no data (add ZIP or your patient ID); nobody → `none`.',
      requestBody: jsonBody('PersonSearch'),
      responses: {
        '200': { description: 'one, several or none', content: jsonContent('PersonSearchResult') },
        '400': error('A required field missing or malformed'),
      },
    },
  },
  {
    key: 'GET /v1/persons/{person_id}',
    access: ['site', 'admin'],
    operation: {
      summary: "A person's doses from every site, evaluated, with what is due (access-logged)",
      parameters: [personParam],
      requestBody: 'none',
      responses: {
        '200': { description: 'The consolidated record', content: jsonContent('PersonRecord') },
        '404': error('No such person'),
      },
    },
  },
  {
    key: 'GET /v1/persons/{person_id}/disclosures',
    access: ['admin'],
    denied: ADMIN_ONLY,
    operation: {
      summary: "Accounting of disclosures: who read this person's record, when, and how",
      parameters: [personParam],
      requestBody: 'none',
      responses: { '200': { description: 'Access-log entries, newest first' } },
    },
  },
  {
    key: 'GET /v1/persons/{person_id}/decisions',
    access: ['admin'],
    denied: ADMIN_ONLY,
    operation: {
      summary: 'Every matching decision about this person (links, reviews, merges, splits)',
      parameters: [personParam],
      requestBody: 'none',
      responses: { '200': { description: 'Decisions, newest first' } },
    },
  },
  {
    key: 'GET /v1/persons/reviews',
    access: ['admin'],
    denied: ADMIN_ONLY,
    operation: {
      summary: 'Possible matches waiting for a person to decide (the dose was kept apart meanwhile)',
      requestBody: 'none',
      responses: { '200': { description: 'Open reviews, oldest first' } },
    },
  },
  {
    key: 'POST /v1/persons/{person_id}/merge',
    access: ['admin'],
    denied: ADMIN_ONLY,
    operation: {
      summary: 'Merge another person into this one (audited; undone by a split of the moved doses)',
      parameters: [personParam],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['from'],
              properties: { from: text, review_id: text, reason: text },
            },
          },
        },
      },
      responses: {
        '200': { description: 'The merged record' },
        '400': error('Malformed body, or merging a person into itself'),
        '404': error('No such person'),
      },
    },
  },
  {
    key: 'POST /v1/persons/{person_id}/split',
    access: ['admin'],
    denied: ADMIN_ONLY,
    operation: {
      summary: "Move some of this person's doses to a new person (audited; undone by a merge)",
      parameters: [personParam],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['doses'],
              properties: {
                doses: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    type: 'object',
                    required: ['iis_id', 'vax_event_id'],
                    properties: siteEvent.properties,
                  },
                },
                reason: text,
              },
            },
          },
        },
      },
      responses: {
        '200': { description: 'The new person' },
        '400': error('Malformed body, or a dose not linked to this person'),
        '404': error('No such person'),
      },
    },
  },
  {
    key: 'POST /v1/persons/reviews/{review_id}',
    access: ['admin'],
    denied: ADMIN_ONLY,
    operation: {
      summary: 'Decide a review: keep apart (the dose stays where it is) or merge into a candidate',
      parameters: [
        { name: 'review_id', in: 'path', required: true, schema: { type: 'string', maxLength: 200 } },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['decision'],
              properties: { decision: { enum: ['apart', 'merge'] }, into: text, reason: text },
            },
          },
        },
      },
      responses: { '200': { description: 'The decision' }, '404': error('No such open review') },
    },
  },
  {
    key: 'GET /v1/reports/follow-up',
    access: ['site', 'program', 'admin'],
    operation: {
      summary: 'Reminder/recall: people due or overdue for their next dose (site: its own; admin: by county)',
      parameters: [
        { name: 'date', in: 'query', required: true, schema: day },
        { name: 'status', in: 'query', required: false, schema: { enum: ['due', 'overdue'] } },
        { name: 'format', in: 'query', required: false, schema: { enum: ['json', 'csv'] } },
        { name: 'iis_id', in: 'query', required: false, schema: text },
      ],
      requestBody: 'none',
      responses: {
        '200': { description: 'Rows (JSON) or the CSV file' },
        '404': error('The nightly follow-up run for that date has not run'),
      },
    },
  },
] as const satisfies readonly Endpoint[];
