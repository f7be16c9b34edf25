/**
 * How the Clearinghouse stand-in judges a CVRS file: with CDC's rules, not the pipeline's. It runs our
 * re-implementation of CDC's own validator (shared/cdc/validator, held to CDC's reports byte for byte) and
 * answers as CDC's Clearinghouse mock does: an error is `line#<record> field=<f> message=<m>` (records counted
 * from 1 after the header, -1 for the header), a repeated vax_event_id (BUSR013) a processing error. So a
 * misunderstanding in our own pre-send checks (shared/cdc/cvrs-check.ts) shows up as a refused record here
 * instead of passing twice.
 *
 * Where CDC's server and its validator tool disagree, the server is what receives our files:
 *  - warnings (BUSR007–010) do not refuse a record (the mock lists them as errors; the server's own field
 *    checks have no cross-field rules at all);
 *  - cvx, ndc and mvx are judged as the server's field checks judge them (cvx a number, ndc at most 50 and mvx
 *    at most 3 characters), not against the validator's product lists, which stop at the products of early
 *    2021 and would refuse every later vaccine.
 */
import { type CdcFinding, validateCvrsText } from '#cdc/validator/index.ts';

export interface Judgement {
  /** Records in the file (lines after the header that are not empty). */
  records: number;
  validationErrors: string[];
  /** BUSR013: `VaxEventId=… RecipId=… message=…`. */
  processingErrors: string[];
  /** Record numbers (from 1) with a validation or processing error: they are not taken. */
  refused: ReadonlySet<number>;
  /** The header is not CVRS (an FMT_ finding): nothing in the file is taken. */
  unreadable: boolean;
  /** Each record's vax_event_id and recip_id, by record number - 1. */
  ids: { vaxEventId: string; recipId: string }[];
}

const PRODUCT: ReadonlySet<string> = new Set(['cvx', 'ndc', 'mvx']);
const NUMBER = /^\d+$/;

/** The stand-in's verdict on a file's text; `today` is California's date where the stand-in runs. */
export function judgeAsCdc(text: string, today: string): Judgement {
  const result = validateCvrsText(text, { today });
  const { header, rows } = splitRows(text);
  const column = (name: string) => header.indexOf(name);
  const [idCol, recipCol, cvxCol] = [column('vax_event_id'), column('recip_id'), column('cvx')];
  const ids = rows.map((r) => ({ vaxEventId: r[idCol] ?? '', recipId: r[recipCol] ?? '' }));
  const validationErrors: string[] = [];
  const processingErrors: string[] = [];
  const refused = new Set<number>();
  let unreadable = false;
  const refuse = (f: Pick<CdcFinding, 'line' | 'field' | 'message'>) => {
    validationErrors.push(`line#${f.line} field=${f.field} message=${f.message}`);
    refused.add(f.line);
  };
  for (const f of result.findings) {
    if (f.code.startsWith('FMT_')) unreadable = true;
    if (f.level !== 'ERROR') continue;
    if (f.code === 'DATA007' && PRODUCT.has(f.field)) continue;
    if (f.code !== 'BUSR013') refuse(f);
    else {
      const recipId = ids[f.line - 1]?.recipId ?? '';
      processingErrors.push(`VaxEventId=${f.vax_event_id} RecipId=${recipId} message=${f.message}`);
      refused.add(f.line);
    }
  }
  rows.forEach((r, i) => {
    const cvx = r[cvxCol];
    if (cvxCol >= 0 && cvx && !NUMBER.test(cvx))
      refuse({ line: i + 1, field: 'cvx', message: 'must be a number' });
  });
  return { records: rows.length, validationErrors, processingErrors, refused, unreadable, ids };
}

/** The header's names (as CDC reads them: trimmed, any case) and each non-empty record's cells. */
function splitRows(text: string): { header: string[]; rows: string[][] } {
  const [head = '', ...lines] = text.split(/\r\n|\r|\n/);
  return {
    header: head.split('\t').map((h) => h.trim().toLowerCase()),
    rows: lines.filter((l) => l !== '').map((l) => l.split('\t')),
  };
}
