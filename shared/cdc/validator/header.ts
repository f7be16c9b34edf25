/**
 * CDC's whole-file format checks (FMT_001–FMT_005), made on the first 1,024 characters of the file before any
 * record is read: the first line there (up to LF, CRs removed, padded with NULs when the file is shorter and
 * has no LF, as Java's char buffer is), split on TAB.
 */
import type { CvrsVersion } from './fields.ts';
import { headersFor } from './fields.ts';
import { javaList, javaSplit } from './java.ts';

export interface HeaderFinding {
  code: string;
  message: string;
}

export interface HeaderCheck {
  findings: HeaderFinding[];
  /** The file starts with U+FEFF, which CDC reports and then skips. */
  bom: boolean;
  /** The first line starts an HL7 message or batch. */
  hl7: boolean;
}

/** HL7MessageParser.isMessageDelimiter. */
export const isHl7Delimiter = (line: string): boolean =>
  /^(FHS|BHS|BTS|FTS|MSH)[^\n\r\u0085\u2028\u2029]*$/.test(line);

const WINDOW = 1024;

/** `head`: the file's first 1,024 characters, or all of it when shorter. */
export function checkHeader(head: string, version: CvrsVersion): HeaderCheck {
  const findings: HeaderFinding[] = [];
  const valid = headersFor(version);
  let bom = false;
  let hl7 = false;
  let headers: string[] | null = null;
  if (head.length > 0) {
    const window = head.length < WINDOW ? head.padEnd(WINDOW, '\0') : head.slice(0, WINDOW);
    const nl = window.indexOf('\n');
    headers = javaSplit((nl < 0 ? window : window.slice(0, nl)).replaceAll('\r', ''), '\t');
  }
  if (headers !== null && headers.length !== 0 && headers[0] !== '') {
    if (headers[0]!.charCodeAt(0) === 0xfeff) {
      findings.push({ code: 'FMT_005', message: 'File starts with a Unicode Byte Order Mark (FEFF)' });
      headers[0] = headers[0]!.slice(1);
      bom = true;
    }
    if (isHl7Delimiter(headers[0]!)) {
      hl7 = true;
      headers = valid;
    } else if (headers.length === 1) {
      findings.push({ code: 'FMT_001', message: `File is not tab delimited. First Row: ${headers[0]}` });
      headers = javaSplit(headers[0]!.replaceAll('"', ''), /[ \t\n\v\f\r]*,[ \t\n\v\f\r]*/);
    }
  }
  if (headers === null) {
    findings.push({ code: 'FMT_003', message: 'File is not a CVRS' });
    return { findings, bom, hl7 };
  }
  if (headers !== valid) {
    const lower = headers.map((h) => h.toLowerCase());
    const known = new Set(valid);
    const bad = lower.filter((h) => !known.has(h));
    let good = lower;
    if (bad.length > 0) {
      findings.push({ code: 'FMT_002', message: `Input contains invalid headers: ${javaList(bad)}` });
      good = lower.filter((h) => known.has(h));
      if (good.length === 0) {
        findings.push({ code: 'FMT_003', message: 'File is not a CVRS' });
        return { findings, bom, hl7 };
      }
    }
    if (good.length < valid.length) {
      const present = new Set(good);
      findings.push({
        code: 'FMT_004',
        message: `File is missing headers ${javaList(valid.filter((h) => !present.has(h)))}`,
      });
    }
  }
  return { findings, bom, hl7 };
}
