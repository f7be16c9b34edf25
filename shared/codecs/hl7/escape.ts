/**
 * HL7 v2 escaping of data values (v2.5.1 chapter 2.7). A value is escaped once, at the leaf (subcomponent)
 * level, after the message is split, so a delimiter in a name or street never moves a field.
 *
 * Line breaks: CR ends a segment and many receivers also split on LF, so both are written as the hex escapes
 * `\X0D\` and `\X0A\` rather than replaced by a space. That keeps escape/unescape lossless (the property the tests
 * check); dose text never carries line breaks in practice, because intake turns them into spaces already.
 */

export interface Encoding {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
}

/** `|^~\&`: what every immunization guide requires in MSH-1/MSH-2. */
export const DEFAULT_ENCODING: Encoding = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

export function escapeHl7(value: string, enc: Encoding = DEFAULT_ENCODING): string {
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < value.length; i++) {
    const code = sequenceFor(value[i]!, enc);
    if (code === undefined) continue;
    out += value.slice(plainFrom, i) + enc.escape + code + enc.escape;
    plainFrom = i + 1;
  }
  return plainFrom === 0 ? value : out + value.slice(plainFrom);
}

function sequenceFor(c: string, enc: Encoding): string | undefined {
  if (c === enc.escape) return 'E';
  if (c === enc.field) return 'F';
  if (c === enc.component) return 'S';
  if (c === enc.repetition) return 'R';
  if (c === enc.subcomponent) return 'T';
  if (c === '\r') return 'X0D';
  if (c === '\n') return 'X0A';
  return undefined;
}

/**
 * Reverses `escapeHl7` and also reads what other senders write: `\Xhh…\` as UTF-8 bytes, `\H\`/`\N\` (highlighting,
 * meaningless in a data value) dropped. Anything else — an unknown or unterminated sequence, character-set
 * switches — is kept literally, so nothing a sender wrote disappears silently.
 */
export function unescapeHl7(value: string, enc: Encoding = DEFAULT_ENCODING): string {
  const e = enc.escape;
  let start = value.indexOf(e);
  if (start < 0) return value;
  let out = value.slice(0, start);
  while (start >= 0) {
    const end = value.indexOf(e, start + 1);
    if (end < 0) {
      out += value.slice(start);
      return out;
    }
    const decoded = decodeSequence(value.slice(start + 1, end), enc);
    out += decoded ?? value.slice(start, end + 1);
    const next = value.indexOf(e, end + 1);
    out += value.slice(end + 1, next < 0 ? value.length : next);
    start = next;
  }
  return out;
}

function decodeSequence(seq: string, enc: Encoding): string | undefined {
  switch (seq) {
    case 'F':
      return enc.field;
    case 'S':
      return enc.component;
    case 'R':
      return enc.repetition;
    case 'E':
      return enc.escape;
    case 'T':
      return enc.subcomponent;
    case 'H':
    case 'N':
      return '';
  }
  if (seq.length >= 3 && seq[0] === 'X') return decodeHex(seq.slice(1));
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEX = /^(?:[0-9A-Fa-f]{2})+$/;

function decodeHex(hex: string): string | undefined {
  if (!HEX.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
