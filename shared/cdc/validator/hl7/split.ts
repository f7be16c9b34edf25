// Splitting a file into messages as CDC's splitter does (its lines, its delimiters).

export interface SplitHl7Message {
  /** What CDC's report calls the record's line: its ordinal among the file's messages, from 1. */
  line: number;
  /** The physical line (Java `readLine` counting CR, LF and CRLF) where its MSH is, for people reading the file. */
  firstLine: number;
  /** Its segments, each ended by CR, as CDC hands them to HAPI (blank lines inside a message included). */
  message: string;
}

// Java's `.` stops at these five, so a line carrying U+0085/U+2028/U+2029 is not a delimiter to CDC's splitter.
const BATCH_LINE = /^(?:FHS|BHS|BTS|FTS)[^\n\r\u0085\u2028\u2029]*$/;
const DELIMITER_LINE = /^(?:FHS|BHS|BTS|FTS|MSH)[^\n\r\u0085\u2028\u2029]*$/;

/** Lines as Java's BufferedReader.readLine returns them: CR, LF or CRLF end a line; a final terminator adds none. */
function javaLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) continue;
    lines.push(text.slice(start, i));
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/**
 * Whether CDC's validator reads this file as HL7 rather than as a CVRS text file: its first line (after a BOM,
 * which CDC reports as FMT_005 and skips) starts with MSH or a batch/file header.
 */
export function isHl7File(text: string): boolean {
  const first = javaLines(text.startsWith('\uFEFF') ? text.slice(1) : text)[0];
  return first !== undefined && DELIMITER_LINE.test(first);
}

/**
 * The messages of an HL7 file as CDC's HL7MessageParser cuts them: batch/file headers and trailers are dropped,
 * lines before a message that do not start with MSH are dropped, and a message runs from its MSH to the next line
 * that starts with MSH, FHS, BHS, BTS or FTS (no `|` needed: "MSHX" also starts one).
 */
export function splitHl7Messages(text: string): SplitHl7Message[] {
  const lines = javaLines(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const out: SplitHl7Message[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    i++;
    if (BATCH_LINE.test(line) || !line.startsWith('MSH')) continue;
    const firstLine = i;
    const segments = [line];
    while (i < lines.length && !DELIMITER_LINE.test(lines[i]!)) {
      segments.push(lines[i]!);
      i++;
    }
    out.push({ line: out.length + 1, firstLine, message: segments.map((s) => `${s}\r`).join('') });
  }
  return out;
}
