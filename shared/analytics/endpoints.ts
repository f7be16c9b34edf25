import type { Endpoint } from '#platform/http/endpoint.ts';
import { ID_MAX_BYTES } from '#platform/http/identifiers.ts';
import { error, jsonContent, ref, siteParam } from '#platform/http/openapi-parts.ts';

// Population denominators (issue 15): hand-written JSON Schema, like the stock and persons APIs'. The file's
// limits are declared here, light, for the route table and the stack; denominators.ts enforces them.

export const DENOMINATOR_COLUMNS = ['county', 'age_group', 'race', 'ethnicity', 'sex', 'population'] as const;

/**
 * Largest file taken, in bytes. Every distinct cell once is 58 × 8 × 8 × 3 × 4 = 44,544 rows, about 1.6 MB with
 * FIPS codes and 2 MB with county names. Not the JSON routes' 1 MB: AWS hands the body to Lambda escaped in a
 * JSON event of at most 6 MB, and a CSV's characters (line breaks, quotes) escape to at most 2 bytes each, so
 * 3 MB × 2 plus the event's envelope still fits. Only control characters escape to more, and a file with those
 * is binary and refused anyway.
 */
export const MAX_DENOMINATOR_BYTES = 3_000_000;

/** California's whole population is under 40 million: a larger cell is a typo, not a projection. */
export const MAX_POPULATION = 40_000_000;

/** Problems listed in a refusal; the answer says how many more there were, so it stays small. */
export const MAX_PROBLEMS_LISTED = 500;

/** Longest source note kept with a version. */
export const MAX_SOURCE_NOTE = 200;

const text = { type: 'string' };
const count = { type: 'integer', minimum: 0 };
const summaryProps = {
  version: { type: 'integer', minimum: 1 },
  loaded_at: { type: 'string', format: 'date-time' },
  loaded_by: { ...text, description: '"admin": only the admin key loads denominators.' },
  row_count: count,
  total_population: count,
  source: { oneOf: [text, { type: 'null' }], description: 'The note given with the file (?source=).' },
};

export const ANALYTICS_SCHEMAS = {
  DenominatorVersionSummary: {
    type: 'object',
    required: Object.keys(summaryProps),
    properties: summaryProps,
  },
  DenominatorVersion: {
    type: 'object',
    required: [...Object.keys(summaryProps), 'county_totals'],
    properties: {
      ...summaryProps,
      county_totals: {
        type: 'array',
        description: 'Population per county (all 58, by FIPS).',
        items: {
          type: 'object',
          required: ['county', 'name', 'population'],
          properties: { county: text, name: text, population: count },
        },
      },
    },
  },
  DenominatorLoad: {
    type: 'object',
    required: ['created', 'previous', 'version'],
    properties: {
      created: { type: 'boolean', description: 'False: the file says what the version in force says.' },
      previous: { oneOf: [{ type: 'integer' }, { type: 'null' }], description: 'The version it replaced.' },
      version: ref('DenominatorVersion'),
    },
  },
  Denominators: {
    type: 'object',
    required: ['in_force', 'history'],
    properties: {
      in_force: {
        oneOf: [ref('DenominatorVersion'), { type: 'null' }],
        description: 'null: no denominator loaded (coverage says so).',
      },
      selected: { ...ref('DenominatorVersion'), description: 'The version asked for with ?version=.' },
      history: {
        type: 'array',
        items: ref('DenominatorVersionSummary'),
        description: 'Every version, oldest first; the last is in force.',
      },
      message: text,
    },
  },
} as const;

// The nightly analytics' files (nightly/figures.ts), read back (reports-read.ts): a site key its own site's
// figures (or a client site's), the admin key the exact statewide tables, filtered.
const day = { type: 'string', format: 'date' };
const q = (name: string, schema: Record<string, unknown>, description?: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  ...(description ? { description } : {}),
});
const DATE = { name: 'date', in: 'query', required: true, schema: day, description: 'The run day.' };
const FORMAT = q('format', { enum: ['json', 'csv'] }, 'json (default) or the CSV file.');
const IIS = {
  ...siteParam,
  description: `One site's own figures: the caller's, a client site's for its sending facility, any for the admin. At most ${ID_MAX_BYTES.iis_id} characters; longer is 400 REQ009.`,
};
const COUNTY = q(
  'county',
  { type: 'string', pattern: '^([0-9]{5}|OUT_OF_STATE|UNK)$' },
  'County FIPS (admin).',
);
const reportResponses = (what: string) => ({
  '200': { description: `${what} (JSON) or the CSV file` },
  '400': error('No or malformed ?date=, or a bad filter (REQ008)'),
  '403': error("Another site's figures, or a statewide table with a site key (AUTH004)"),
  '404': error('The nightly analytics of that date have not run (RPT002)'),
});
const REPORT_ROUTES = [
  {
    key: 'GET /v1/reports/uptake',
    access: ['site', 'program', 'admin'],
    operation: {
      summary: 'Doses given and people vaccinated (site: its own; admin: the exact cell, day or site tables)',
      parameters: [
        DATE,
        FORMAT,
        IIS,
        COUNTY,
        q('view', { enum: ['cells', 'days', 'sites'] }, 'Which statewide table (admin; default cells).'),
      ],
      requestBody: 'none',
      responses: reportResponses('Uptake'),
    },
  },
  {
    key: 'GET /v1/reports/coverage',
    access: ['site', 'program', 'admin'],
    operation: {
      summary: 'Coverage against the denominators (site: the suppressed public figures; admin: exact)',
      parameters: [
        DATE,
        FORMAT,
        { ...COUNTY, description: 'Only the state and this county.' },
        q(
          'group',
          { type: 'string', pattern: '^(age|race|ethnicity|sex):' },
          'Only the state and this group (age:65-74).',
        ),
      ],
      requestBody: 'none',
      responses: reportResponses('Coverage'),
    },
  },
  {
    key: 'GET /v1/reports/supply',
    access: ['site', 'program', 'admin'],
    operation: {
      summary: 'Days of supply, lots at risk, reallocation (site: its own; admin: statewide)',
      parameters: [
        DATE,
        FORMAT,
        IIS,
        COUNTY,
        q(
          'view',
          { enum: ['sites', 'counties', 'lots'] },
          'Which CSV file (default sites; counties: admin).',
        ),
      ],
      requestBody: 'none',
      responses: reportResponses('Supply'),
    },
  },
  {
    key: 'GET /v1/reports/timeliness',
    access: ['site', 'program', 'admin'],
    operation: {
      summary: 'Reporting timeliness scorecards by ISO week and over all time (site: its own; admin: all)',
      parameters: [
        DATE,
        FORMAT,
        IIS,
        q('by', { enum: ['site', 'sender', 'county', 'state'] }, 'Scorecards of one kind (admin).'),
        q('key', text, 'Scorecards of one site, sender, county or CA (admin).'),
        q(
          'week',
          { type: 'string', pattern: '^([0-9]{4}-W[0-9]{2}|all)$' },
          'One ISO week, or all (all time).',
        ),
      ],
      requestBody: 'none',
      responses: reportResponses('Scorecards'),
    },
  },
] as const satisfies readonly Endpoint[];

/** The analytics API (functions/analytics/api.ts). */
export const ANALYTICS_ENDPOINTS = [
  {
    key: 'PUT /v1/denominators',
    access: ['admin'],
    denied: 'Population denominators are loaded with the admin key; a site key can read them (GET).',
    operation: {
      summary: 'Load a population denominator file as the new version in force',
      description: `The CSV (UTF-8, at most ${MAX_DENOMINATOR_BYTES} bytes) with the header ${DENOMINATOR_COLUMNS.join(',')}: county × age group × race × ethnicity × sex populations (docs/denominators.md). Checked whole before anything is stored: any problem refuses the file with every problem (up to ${MAX_PROBLEMS_LISTED}), each naming its row, and the previous version stays in force. The same populations as the version in force are answered 200 without a new version.`,
      parameters: [
        {
          name: 'source',
          in: 'query',
          required: false,
          description:
            'Where the figures come from (e.g. "DOF P-3 2023 projections"), kept with the version.',
          schema: { type: 'string', maxLength: MAX_SOURCE_NOTE },
        },
      ],
      requestBody: {
        required: true,
        content: { 'text/csv': { schema: { type: 'string' } } },
      },
      responses: {
        '201': {
          description: 'Loaded: the new version, now in force',
          content: jsonContent('DenominatorLoad'),
        },
        '200': {
          description: 'The same as the version in force: nothing new',
          content: jsonContent('DenominatorLoad'),
        },
        '400': error('Refused (DEN001–DEN004): every problem, each naming its row; nothing changed'),
        '413': error(`Larger than ${MAX_DENOMINATOR_BYTES} bytes`),
        '415': error('Not sent as text/csv'),
      },
    },
  },
  {
    key: 'GET /v1/denominators',
    access: ['site', 'program', 'admin'],
    operation: {
      summary: 'The population denominators in force and every earlier version (not the rows)',
      parameters: [
        {
          name: 'version',
          in: 'query',
          required: false,
          description: 'An earlier version to show beside the one in force.',
          schema: { type: 'integer', minimum: 1 },
        },
      ],
      requestBody: 'none',
      responses: {
        '200': {
          description: 'The version in force (null if none) and the history',
          content: jsonContent('Denominators'),
        },
        '400': error('version is not a whole number ≥ 1'),
        '404': error('No such version (DEN404)'),
      },
    },
  },
  ...REPORT_ROUTES,
] as const satisfies readonly Endpoint[];
