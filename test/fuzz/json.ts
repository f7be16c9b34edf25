/**
 * (a) The JSON dose API, on the real handler (functions/doses/api.ts) with DynamoDB and SQS stand-ins: POST
 * /v1/doses with bodies made from valid doses and mutated (wrong types, deep nesting, huge strings, lone
 * surrogates, `__proto__` keys, duplicate keys, unknown fields, broken JSON, other media types). Invariants:
 * json.no-5xx, json.answer (a JSON answer of the documented shape), json.no-patient-echo (no identifying marker
 * in the answer), json.echo-cap (no answer repeats more than 64 characters of any submitted text in a finding,
 * nor more than 199 of a vax_event_id), json.accepted-encodes (issue 18: every accepted dose, read back with
 * GET, encodes as VXU, SOAP, CVRS and a results row).
 */
import fc from 'fast-check';
import type { Dose } from '#doses/fields.ts';
import { MAX_FIELD_LENGTH } from '#doses/normalize.ts';
import { type Finding, MAX_ECHO } from '#platform/findings.ts';
import { encodeProblems } from './encode.ts';
import { bump, type FuzzContext, type FuzzTarget, invariant } from './harness.ts';
import {
  brief,
  deepJson,
  IDENTIFYING,
  longString,
  marker,
  markerDate,
  markerForms,
  modernaDose,
  nastyText,
  overlongWindows,
  PROTO_KEYS,
  stringsOf,
  wrongType,
} from './shapes.ts';

/** Fields whose value may be set to anything by a mutation. */
const FIELDS = Object.keys(modernaDose()).concat([
  'recip_middle_name',
  'recip_address_street_2',
  'pprl_id',
  'responsible_org',
  'admin_name',
  'iis_id',
  'ext_type',
]);

const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyText },
  { weight: 2, arbitrary: wrongType },
  { weight: 1, arbitrary: longString },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '""', 'null', '2021-02-30', '20210310', '03/10/2021', '80777-273-10'),
  },
);

/** A dose: valid, identifying fields replaced by markers, then a few fields set to anything. */
const doseArb = fc
  .record({
    markers: fc.record(Object.fromEntries(IDENTIFYING.map((f) => [f, marker])), { requiredKeys: [] }),
    dob: fc.option(markerDate, { freq: 3 }),
    changes: fc.oneof(
      { weight: 2, arbitrary: fc.constant({}) },
      { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 3 }) },
    ),
    unknown: fc.oneof(
      { weight: 2, arbitrary: fc.constant({}) },
      {
        weight: 1,
        arbitrary: fc.dictionary(
          fc.oneof(
            fc.constantFrom(...PROTO_KEYS, 'vax_event_ID', 'Recip_Last_Name', ' cvx'),
            nastyText,
            longString,
          ),
          fc.oneof(nastyText, marker, wrongType),
          { maxKeys: 3 },
        ),
      },
    ),
  })
  .map(({ markers, dob, changes, unknown }) => ({
    dose: modernaDose({
      ...markers,
      ...(dob ? { recip_dob: dob } : {}),
      ...changes,
      ...unknown,
    }),
    markers: { ...markers, ...(dob ? { recip_dob: dob } : {}) } as Record<string, string>,
  }));

type TextMutation =
  | { kind: 'none' }
  | { kind: 'proto'; value: string }
  | { kind: 'duplicate-key'; field: string; value: string }
  | { kind: 'bom' }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' }
  | { kind: 'lone-surrogate-escape'; field: string }
  | { kind: 'replace-body'; text: string };

const mutation: fc.Arbitrary<TextMutation> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: marker.map((value) => ({ kind: 'proto' as const, value })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('duplicate-key' as const),
      field: fc.constantFrom(...FIELDS),
      value: fc.oneof(marker, nastyText),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.constantFrom(',', '}', '"', '\\', '\u0000', '\\u0000', '\\ud800', 'NaN', ' ', '\n', '[]'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      depth: fc.constantFrom(10, 1_000, 10_000, 100_000),
      shape: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('lone-surrogate-escape' as const),
      field: fc.constantFrom(...FIELDS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('replace-body' as const),
      text: fc.constantFrom(
        '',
        ' ',
        'null',
        '[]',
        '{}',
        '"x"',
        '1e999',
        '{"doses":[]}',
        '{"doses":{}}',
        '{"doses":[1,2]}',
        '{"doses":null}',
        '\ufeff{}',
        '{"doses":[{}],"doses":[[]]}',
      ),
    }),
  },
);

export interface JsonInput {
  doses: { dose: Record<string, unknown>; markers: Record<string, string> }[];
  batch: boolean;
  mutation: TextMutation;
  contentType: string | undefined;
}

const jsonInput: fc.Arbitrary<JsonInput> = fc.record({
  doses: fc.array(doseArb, { minLength: 1, maxLength: 3 }),
  batch: fc.boolean(),
  mutation,
  contentType: fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'text/plain',
        'application/fhir+json',
        'application/xml',
        'application/jsonx',
        '',
      ),
    },
  ),
});

let unique = 0;

/** The request body, with a fresh vax_event_id for each dose whose ID was left valid. */
function bodyOf(input: JsonInput, runId: string): string {
  const doses = input.doses.map((d, i) =>
    d.dose.vax_event_id === 'EVT-0001' ? { ...d.dose, vax_event_id: `FZ-${runId}-${i}` } : d.dose,
  );
  let text = JSON.stringify(input.batch ? { doses } : doses[0]);
  const m = input.mutation;
  // Text put first inside the (first) dose object.
  const first = (extra: string) => text.replace(input.batch ? '[{' : '{', (open) => `${open}${extra},`);
  switch (m.kind) {
    case 'proto':
      text = first(`"__proto__":{"recip_last_name":${JSON.stringify(m.value)},"cvx":"999"}`);
      break;
    case 'duplicate-key':
      text = first(`${JSON.stringify(m.field)}:${JSON.stringify(m.value)}`);
      break;
    case 'bom':
      text = `\ufeff${text}`;
      break;
    case 'truncate':
      text = text.slice(0, m.at % (text.length + 1));
      break;
    case 'insert': {
      const at = m.at % (text.length + 1);
      text = text.slice(0, at) + m.text + text.slice(at);
      break;
    }
    case 'deep':
      text = text.replace(/"cvx":"[^"]*"/, `"cvx":${deepJson(m.depth, m.shape)}`);
      break;
    case 'lone-surrogate-escape':
      text = first(`${JSON.stringify(m.field)}:"ab\\ud800cd"`);
      break;
    case 'replace-body':
      text = m.text;
      break;
  }
  return text;
}

interface Answer {
  results?: {
    vax_event_id: string | null;
    status: string;
    version?: number;
    issues: { code: string; field: string; message: string }[];
  }[];
  message?: string;
  issues?: { code: string; field: string; message: string }[];
}

async function check(input: JsonInput, ctx: FuzzContext): Promise<void> {
  const p = ctx.pipeline!;
  const runId = `${process.pid}-${++unique}`;
  const body = bodyOf(input, runId);
  const auth = { role: 'site', iis_id: p.site.iis_id };
  const res = await p.call('doses', {
    method: 'POST',
    path: '/v1/doses',
    routeKey: 'POST /v1/doses',
    headers: input.contentType === undefined ? {} : { 'content-type': input.contentType },
    body,
    auth,
  });
  bump(ctx, `http_${res.status}`);
  invariant(ctx, 'json.no-5xx', res.status < 500, () => `answered ${res.status}: ${res.body.slice(0, 300)}`);
  let answer: Answer | undefined;
  try {
    answer = JSON.parse(res.body) as Answer;
  } catch {
    answer = undefined;
  }
  invariant(
    ctx,
    'json.answer',
    answer !== undefined &&
      (res.status === 200
        ? Array.isArray(answer.results)
        : typeof answer.message === 'string' && Array.isArray(answer.issues)),
    () => `answer ${res.status} is not the documented JSON: ${res.body.slice(0, 300)}`,
  );
  if (!answer) return;

  // No identifying value comes back, whatever the answer.
  const said = stringsOf(answer).join('\n');
  for (const d of input.doses)
    for (const [field, value] of Object.entries(d.markers))
      for (const form of markerForms(value))
        invariant(
          ctx,
          'json.no-patient-echo',
          !said.includes(form),
          () => `${field} ${brief(value)} echoed as ${brief(form)}`,
        );

  // No finding repeats more than MAX_ECHO characters of anything sent; an echoed ID is at most MAX_FIELD_LENGTH.
  const findingsText = stringsOf({
    ...answer,
    results: answer.results?.map((r) => ({ ...r, vax_event_id: null })),
  }).join('\n');
  const sent = stringsOf(input.doses.map((d) => d.dose));
  if (input.mutation.kind === 'duplicate-key' || input.mutation.kind === 'proto')
    sent.push(...stringsOf(input.mutation));
  for (const s of sent)
    for (const w of overlongWindows(s, MAX_ECHO))
      invariant(
        ctx,
        'json.echo-cap',
        !findingsText.includes(w),
        () =>
          `a finding repeats ${[...w].length}+ characters of a ${[...s].length}-character input: ${brief(w)}`,
      );
  for (const r of answer.results ?? [])
    invariant(
      ctx,
      'json.echo-cap',
      r.vax_event_id === null || [...r.vax_event_id].length <= MAX_FIELD_LENGTH,
      () => `results echo a vax_event_id of ${r.vax_event_id!.length} characters`,
    );

  // Issue 18: what was accepted is stored as a dose every outbound format carries.
  for (const r of answer.results ?? []) {
    if (r.status !== 'accepted' || !r.vax_event_id) continue;
    bump(ctx, 'accepted');
    const got = await p.call('doses', {
      method: 'GET',
      path: `/v1/doses/${encodeURIComponent(r.vax_event_id)}`,
      routeKey: 'GET /v1/doses/{vax_event_id}',
      pathParameters: { vax_event_id: r.vax_event_id },
      auth,
    });
    invariant(
      ctx,
      'json.accepted-encodes',
      got.status === 200,
      () => `GET of accepted ${brief(r.vax_event_id)} answered ${got.status}`,
    );
    if (got.status !== 200) continue;
    const stored = JSON.parse(got.body) as { dose: Dose; issues: Finding[] };
    const problems = encodeProblems(stored.dose, stored.issues);
    invariant(
      ctx,
      'json.accepted-encodes',
      problems.length === 0,
      () => `accepted dose ${brief(stored.dose)} does not encode: ${problems.join('; ')}`,
    );
  }
}

export const jsonTarget: FuzzTarget<JsonInput> = {
  name: 'json',
  covers:
    'POST /v1/doses on functions/doses/api.ts (jsonBody, DoseBatch, normalizeDose, validateDose, submitDoses) with DynamoDB/SQS stand-ins; accepted doses read back with GET and encoded (VXU, SOAP, CVRS, results row)',
  pipeline: true,
  arbitrary: jsonInput,
  check,
  show: (input) => brief({ ...input, body: bodyOf(input, 'X') }, 1500),
};
