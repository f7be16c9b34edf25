/**
 * CDC's CVRS extract validator (CDCgov/CDC_IIS_Open_Tools, extract-validator, CVRS text files), re-implemented:
 * the same findings in the same order, the same counts, and its two report formats byte for byte.
 *
 *   validateCvrsText(text)            a whole file (string or Buffer, UTF-8) → findings and counts
 *   validateCvrsStream(chunks)        the same over a stream (a Node Readable), for large files
 *   validateCvrsRecord(values, ctx)   one record's checks, for intake code (no file state: no BUSR013)
 *   formatTextReport / formatJsonReport(fileName, result)   CDC's reports; fileName is printed as given
 */
import { type CvrsVersion, FIELDS } from './fields.ts';
import {
  CdcFileChecker,
  type CdcFinding,
  type CdcOptions,
  type CdcResult,
  type FindingSink,
  tomorrowOf,
} from './file.ts';
import { type CvrsValues, checkRecord, clearIgnored } from './record.ts';

export { headersFor } from './fields.ts';
export { CdcHl7Input } from './file.ts';
export { CdcValidatorStopped } from './opencsv.ts';
export { formatJsonReport } from './report-json.ts';
export { formatTextReport, TextReportWriter } from './report-text.ts';
export { CDC_RULES, type CdcLevel, type CdcRule } from './rules.ts';
export type { CdcFinding, CdcOptions, CdcResult, CvrsVersion, FindingSink };

const decoder = () => new TextDecoder('utf-8', { ignoreBOM: true });

export function validateCvrsText(text: string | Buffer, opts: CdcOptions = {}): CdcResult {
  const checker = new CdcFileChecker({ ...opts, wholeText: true });
  checker.write(typeof text === 'string' ? text : decoder().decode(text));
  return checker.end();
}

/**
 * Like validateCvrsText over chunks as they come. `keepFindings: false` keeps only counts in the result (use
 * `onFinding`, e.g. TextReportWriter's, to see them), for files whose findings would not fit in memory.
 */
export async function validateCvrsStream(
  chunks: AsyncIterable<Buffer | string>,
  opts: CdcOptions & { keepFindings?: boolean; onFinding?: FindingSink } = {},
): Promise<CdcResult> {
  const checker = new CdcFileChecker(opts);
  const d = decoder();
  for await (const chunk of chunks)
    checker.write(typeof chunk === 'string' ? chunk : d.decode(chunk, { stream: true }));
  checker.write(d.decode());
  return checker.end();
}

/**
 * CDC's checks of one record given by field name (a name not given is a column the file lacks, which CDC
 * treats as null). Findings have line 0 and the record's vax_event_id; BUSR013 needs the file and is not made.
 */
export function validateCvrsRecord(
  values: Record<string, string>,
  ctx: { version: CvrsVersion; today: string },
): CdcFinding[] {
  const vals: CvrsValues = FIELDS.map((f) => values[f.name] ?? null);
  clearIgnored(vals, ctx.version);
  const id = vals[0] ?? null;
  const out: CdcFinding[] = [];
  checkRecord(
    vals,
    { version: ctx.version, tomorrow: tomorrowOf(ctx.today) },
    (field, code, level, message) => out.push({ line: 0, vax_event_id: id, field, code, level, message }),
  );
  return out;
}
