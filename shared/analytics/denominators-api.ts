/**
 * The denominators routes' requests and answers (functions/analytics/api.ts is the thin entry point): a load is
 * read, checked whole and stored, or refused with every problem and nothing changed.
 */

import { bodyBytes } from '#platform/http/limits.ts';
import type { ApiEvent } from '#platform/http/request.ts';
import { HttpError } from '#platform/http/response.ts';
import { DEN, parseDenominators } from './denominators.ts';
import {
  type DenominatorVersion,
  denominatorVersions,
  type LoadOutcome,
  storeDenominators,
  summaryOf,
  type VersionSummary,
} from './denominators-store.ts';
import { MAX_DENOMINATOR_BYTES, MAX_SOURCE_NOTE } from './endpoints.ts';

/** Reads a PUT's CSV body and loads it; throws HttpError (400 with every problem, 413, 415) when refused. */
export async function loadDenominators(event: ApiEvent, now: Date): Promise<LoadOutcome> {
  const type = event.headers?.['content-type'] ?? '';
  if (!/^text\/csv\b/i.test(type))
    throw new HttpError(
      415,
      'REQ002',
      'content-type',
      `Send the file as the body with the header "Content-Type: text/csv"${type ? ` (got "${type}")` : ''}.`,
    );
  const raw = event.body ?? '';
  // Measured before anything is decoded: the limit is one AWS admits for a CSV (endpoints.ts).
  if (bodyBytes(raw, event.isBase64Encoded) > MAX_DENOMINATOR_BYTES)
    throw new HttpError(
      413,
      'REQ003',
      'body',
      `The file is larger than ${MAX_DENOMINATOR_BYTES} bytes; every cell once fits in about 2 MB.`,
    );
  const source = sourceNote(event.queryStringParameters?.source);
  const parsed = parseDenominators(event.isBase64Encoded ? Buffer.from(raw, 'base64') : raw);
  if (!parsed.ok) {
    const inForce = (await denominatorVersions()).at(-1)?.version ?? null;
    const more = parsed.problem_count - parsed.problems.length;
    throw HttpError.withFindings(
      400,
      `The denominator file was refused: ${parsed.problem_count} problem(s)${more > 0 ? ` (the first ${parsed.problems.length} listed)` : ''}. Nothing was loaded; ${inForce ? `version ${inForce} stays in force` : 'no denominator is loaded yet'}.`,
      parsed.problems,
      { in_force: inForce, problem_count: parsed.problem_count },
    );
  }
  return storeDenominators(parsed.file, { loaded_by: 'admin', ...(source ? { source } : {}) }, now);
}

function sourceNote(v: string | undefined): string | undefined {
  const note = v?.trim();
  if (!note) return undefined;
  if ([...note].length > MAX_SOURCE_NOTE || [...note].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f'))
    throw new HttpError(
      400,
      'REQ010',
      'source',
      `source is a note of at most ${MAX_SOURCE_NOTE} characters on one line.`,
    );
  return note;
}

export interface DenominatorsAnswer {
  in_force: DenominatorVersion | null;
  selected?: DenominatorVersion;
  history: VersionSummary[];
  message?: string;
}

/** The version in force, the history and, with ?version=, that version. */
export async function denominatorsAnswer(
  query: Record<string, string | undefined>,
): Promise<DenominatorsAnswer> {
  const all = await denominatorVersions();
  const inForce = all.at(-1) ?? null;
  const answer: DenominatorsAnswer = {
    in_force: inForce,
    history: all.map(summaryOf),
    ...(inForce ? {} : { message: 'no denominator loaded' }),
  };
  if (query.version === undefined) return answer;
  if (!/^[1-9]\d{0,8}$/.test(query.version))
    throw new HttpError(400, 'REQ010', 'version', 'version is a whole number ≥ 1 (see history).');
  const selected = all.find((v) => v.version === Number(query.version));
  if (!selected)
    throw new HttpError(
      404,
      DEN.noVersion,
      'version',
      `There is no version ${query.version} of the denominators${inForce ? ` (the latest is ${inForce.version})` : ''}.`,
    );
  return { ...answer, selected };
}
