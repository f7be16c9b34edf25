import type { FileRecord } from './reader.ts';

const MSH = Buffer.from('MSH|');
const ENVELOPE = ['FHS|', 'BHS|', 'BTS|', 'FTS|'].map((s) => Buffer.from(s));

const startsWith = (buf: Buffer, at: number, prefix: Buffer) =>
  buf.length - at >= prefix.length && buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;

/**
 * Streams the HL7 v2 messages of a batch file (FHS/BHS … BTS/FTS, or plain concatenated messages), or of a
 * byte range of one that starts on a message boundary. A message starts at a line beginning `MSH|`; envelope
 * lines end the message before them and are skipped. Segments may end in CR, LF or CRLF. Each record is one
 * message (its text as the only cell) with the byte offset just past it, so the planner can cut chunks.
 */
export async function* readHl7Messages(
  source: AsyncIterable<Uint8Array>,
  fromByte = 0,
): AsyncGenerator<FileRecord> {
  let buf = Buffer.alloc(0);
  /** Absolute offset of buf[0]. */
  let base = fromByte;
  /** Offset in buf where the current message starts, or -1 outside a message. */
  let msgStart = -1;
  let lineStart = 0;
  const emit = (end: number): FileRecord | undefined => {
    if (msgStart < 0) return undefined;
    const text = buf
      .subarray(msgStart, end)
      .toString('utf8')
      .replace(/[\r\n]+$/, '');
    const record = { cells: [text], end: base + end };
    msgStart = -1;
    return text ? record : undefined;
  };
  for await (const piece of source) {
    buf = Buffer.concat([buf, Buffer.from(piece)]);
    for (let i = lineStart; i < buf.length; i++) {
      const c = buf[i];
      if (c !== 0x0d && c !== 0x0a) continue;
      const next = i + 1;
      // A CRLF pair ends one line; wait for more input when the CR is the last byte we have.
      if (c === 0x0d && next === buf.length) break;
      const after = c === 0x0d && buf[next] === 0x0a ? next + 1 : next;
      const r = lineBoundary(lineStart);
      if (r) yield r;
      lineStart = after;
      i = after - 1;
    }
    // Keep only what the current message (or line) still needs.
    const keep = msgStart >= 0 ? msgStart : lineStart;
    if (keep > 0) {
      buf = buf.subarray(keep);
      base += keep;
      lineStart -= keep;
      if (msgStart >= 0) msgStart -= keep;
    }
  }
  const last = lineBoundary(lineStart);
  if (last) yield last;
  const tail = emit(buf.length);
  if (tail) yield tail;

  /** Called at the start of each line: a new MSH or an envelope line closes the message before it. */
  function lineBoundary(at: number): FileRecord | undefined {
    if (at >= buf.length) return undefined;
    if (startsWith(buf, at, MSH)) {
      const done = emit(at);
      msgStart = at;
      return done;
    }
    if (ENVELOPE.some((e) => startsWith(buf, at, e))) return emit(at);
    return undefined;
  }
}
