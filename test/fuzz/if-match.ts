/**
 * (e) If-Match (shared/platform/http/request.ts parseIfMatch) alone and on PUT /v1/doses/{id} of the real handler. Headers
 * are lists of tags as issued ("3"), weak tags, *, unknown and huge tags, broken quoting, stray commas and
 * whitespace, controls and non-ASCII. Invariants: ifmatch.no-crash (parseIfMatch never throws; it answers *, a
 * list of safe non-negative integers, or undefined), ifmatch.round-trip (a list of issued ETags reads back as
 * their versions), ifmatch.no-5xx (the PUT is answered 2xx/4xx, never 5xx).
 */
import fc from 'fast-check';
import { parseIfMatch } from '#platform/http/request.ts';
import { bump, type FuzzContext, type FuzzTarget, invariant, noCrash } from './harness.ts';
import { modernaDose, nastyText } from './shapes.ts';

const token = fc.oneof(
  fc.nat(20).map((n) => `"${n}"`),
  fc.nat(20).map((n) => `W/"${n}"`),
  fc.constantFrom(
    '*',
    '""',
    '"',
    '"x"',
    '"01"',
    '"-1"',
    '"1.0"',
    '"99999999999999999999"',
    'W/',
    'w/"1"',
    '1',
    '"1"x',
    ' ',
    '\t',
    ',',
    ',,',
    '"a,b"',
    '"\u00e9"',
    '"\u0000"',
    '"\ud800"',
  ),
  nastyText,
);

export interface IfMatchInput {
  header: string;
  issued: number[];
  sep: string;
}

const ifMatchInput: fc.Arbitrary<IfMatchInput> = fc.record({
  header: fc
    .array(token, { maxLength: 6 })
    .chain((parts) => fc.constantFrom(', ', ',', ' , ', '').map((sep) => parts.join(sep))),
  issued: fc.array(fc.integer({ min: 0, max: 999_999_999 }), { minLength: 1, maxLength: 5 }),
  sep: fc.constantFrom(', ', ',', ' ,\t'),
});

let doseId: string | undefined;

async function check(input: IfMatchInput, ctx: FuzzContext): Promise<void> {
  const parsed = await noCrash(ctx, 'ifmatch.no-crash', () => parseIfMatch(input.header));
  invariant(
    ctx,
    'ifmatch.no-crash',
    parsed === undefined ||
      parsed === '*' ||
      (Array.isArray(parsed) && parsed.every((v) => Number.isSafeInteger(v) && v >= 0)),
    () => `parseIfMatch(${JSON.stringify(input.header)}) answered ${JSON.stringify(parsed)}`,
  );
  const list = input.issued.map((v) => `"${v}"`).join(input.sep);
  const back = parseIfMatch(list);
  invariant(
    ctx,
    'ifmatch.round-trip',
    JSON.stringify(back) === JSON.stringify(input.issued),
    () => `${JSON.stringify(list)} read as ${JSON.stringify(back)}`,
  );

  const p = ctx.pipeline!;
  const auth = { role: 'site', iis_id: p.site.iis_id };
  if (!doseId) {
    doseId = `FZI-${process.pid}`;
    await p.call('doses', {
      method: 'POST',
      path: '/v1/doses',
      routeKey: 'POST /v1/doses',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(modernaDose({ vax_event_id: doseId, recip_id: `${doseId}-R` })),
      auth,
    });
  }
  const res = await p.call('doses', {
    method: 'PUT',
    path: `/v1/doses/${doseId}`,
    routeKey: 'PUT /v1/doses/{vax_event_id}',
    pathParameters: { vax_event_id: doseId },
    headers: { 'content-type': 'application/json', 'if-match': input.header },
    body: JSON.stringify(
      // A recipient of its own: the pipeline is shared, and the JSON target gives the default recipient tens of
      // thousands of doses, each of which an update would read.
      modernaDose({
        vax_event_id: doseId,
        recip_id: `${doseId}-R`,
        recip_first_name: `Name${input.header.length}`,
      }),
    ),
    auth,
  });
  bump(ctx, `http_${res.status}`);
  invariant(
    ctx,
    'ifmatch.no-5xx',
    res.status < 500,
    () => `If-Match ${JSON.stringify(input.header)} answered ${res.status}: ${res.body.slice(0, 300)}`,
  );
}

export const ifMatchTarget: FuzzTarget<IfMatchInput> = {
  name: 'if-match',
  covers:
    'parseIfMatch (shared/platform/http/request.ts) and PUT /v1/doses/{id} on functions/doses/api.ts with stand-ins',
  pipeline: true,
  arbitrary: ifMatchInput,
  check,
};
