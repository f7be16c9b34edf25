/**
 * How CDC's CVRS extract-validator (CDC_IIS_Open_Tools `extract-validator`, Java, HAPI 2.3 with only the v2.5.1
 * structures on its classpath) reads an `.hl7` file, so an HL7 file can be validated on the CVRS record each VXU
 * maps to. Behaviour follows that tool's source, quirks included, because the point is to agree with CDC's verdict,
 * not with the HL7 standard:
 *
 * - a file is split into messages at every line starting MSH (or a batch header/trailer), and a message's "line" in
 *   CDC's report is its ordinal, not where it sits in the file;
 * - fields are read with HAPI's Terser paths from the CVRS annotations (`/.ORC-3-1`, `/.PID-10(1)-1`, …), which only
 *   ever look in the first ORDER group, and HAPI places segments into groups by its own iterator (an RXA before any
 *   ORC is not "the" RXA);
 * - values are unescaped the HAPI way and HAPI's default validation corrects them (ST loses leading whitespace) or
 *   rejects the message outright (a malformed date), which stops CDC's whole run.
 *
 * Pure: no I/O; the value sets the `defaults` option needs are reduced to the fields that can take UNK.
 */

import { CdcHl7Rejection, CVRS_FIELDS_V1 } from './hl7/cvrs-record.ts';
import { isHl7File, splitHl7Messages } from './hl7/split.ts';
import { type VxuToCvrsOptions, vxuToCvrs } from './hl7/vxu-to-cvrs.ts';
import {
  type CdcFinding,
  type CdcOptions,
  type CdcResult,
  validateCvrsRecord,
  validateCvrsText,
} from './index.ts';
import { foldHash, str } from './java.ts';

// The port's parts, by role (hl7/): the CVRS record, splitting a file, HAPI's escaping, primitives, message and
// VXU placement, the checks HAPI makes while parsing, OBX, the mapping and CDC's -d defaults. This module is the
// one the rest imports.
export {
  CdcHl7Rejection,
  CVRS_FIELDS_V1,
  type CvrsField,
  type CvrsVersion,
  cvrsFields,
} from './hl7/cvrs-record.ts';
export { isHl7File, type SplitHl7Message, splitHl7Messages } from './hl7/split.ts';
export { type VxuToCvrsOptions, vxuToCvrs } from './hl7/vxu-to-cvrs.ts';

const localToday = (): string => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/**
 * An HL7 file through CDC's validator: each message mapped to its CVRS record and checked by the CVRS record
 * rules, the duplicate-id rule across the file, FMT_005 for a byte order mark (the only header finding CDC makes
 * for HL7). "line" is the message's ordinal. A file whose first line is not HL7 is what CDC reads as CVRS text,
 * and goes to validateCvrsText. Throws CdcHl7Rejection (with `line`) where CDC's run stops on a message.
 */
export function validateHl7Text(
  text: string | Uint8Array,
  opts: CdcOptions & VxuToCvrsOptions = {},
): CdcResult {
  const input = typeof text === 'string' ? text : new TextDecoder('utf-8', { ignoreBOM: true }).decode(text);
  if (!isHl7File(input)) return validateCvrsText(input, opts);
  const version = opts.version ?? '2';
  const today = opts.today ?? localToday();
  const findings: CdcFinding[] = [];
  const header: CdcFinding[] = input.startsWith('\uFEFF')
    ? [
        {
          line: -1,
          vax_event_id: null,
          field: 'Header',
          code: 'FMT_005',
          level: 'ERROR',
          message: 'File starts with a Unicode Byte Order Mark (FEFF)',
        },
      ]
    : [];
  findings.push(...header);
  // A format finding counts as one failed record, and the first record does not count again (CDC's errorCount).
  let failed = header.length > 0 ? 1 : 0;
  const ids = new Map<string, { hash: number; line: number }>();
  const messages = splitHl7Messages(input);
  for (const { line, message } of messages) {
    let record: Record<string, string>;
    try {
      record = vxuToCvrs(message, version, opts);
    } catch (e) {
      if (e instanceof CdcHl7Rejection) e.line = line;
      throw e;
    }
    const id = record.vax_event_id ?? '';
    if (line === 1) for (const f of header) f.vax_event_id = id;
    const found = validateCvrsRecord(record, { version, today }).map((f) => ({ ...f, line }));
    // BUSR013 as CDC's BeanValidator has it: the earlier record's hash XOR its line against this one's hash.
    let hash = 0;
    for (const f of CVRS_FIELDS_V1) hash = foldHash(hash, record[f] ?? null);
    if (hash === 0) hash = 31;
    const key = id.toUpperCase();
    const before = ids.get(key);
    ids.set(key, { hash, line });
    if (before && (before.hash ^ before.line) !== hash) {
      found.push({
        line,
        vax_event_id: id,
        field: 'vax_event_id',
        code: 'BUSR013',
        level: 'ERROR',
        message: `Value of vax_event_id (${str(id)}) duplicates vax_event_id at line ${before.line}`,
      });
    }
    if (found.length > 0 && (line > 1 || header.length === 0)) failed++;
    findings.push(...found);
  }
  return {
    findings,
    totalRecords: messages.length,
    failedRecords: failed,
    totalErrors: findings.length,
    cdcErrorCount: messages.length > 0 ? findings.length : 0,
  };
}
