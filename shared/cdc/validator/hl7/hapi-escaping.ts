// HAPI's tokenizing and escaping, quirks included.

export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

/** HAPI's split: empty pieces between delimiters are kept, trailing ones are not ("a|" is one piece). */
export function hapiSplit(text: string, delim: string): string[] {
  const parts = text.split(delim);
  while (parts.length > 0 && parts.at(-1) === '') parts.pop();
  return parts;
}

/** HAPI's DefaultEscaping.unescape: not the standard's full set, and unknown sequences lose their escape char. */
export function hapiUnescape(text: string, d: Delimiters): string {
  const e = d.escape;
  if (!text.includes(e)) return text;
  const sequences: [string, string][] = [
    [`${e}F${e}`, d.field],
    [`${e}S${e}`, d.component],
    [`${e}T${e}`, d.subcomponent],
    [`${e}R${e}`, d.repetition],
    [`${e}E${e}`, e],
    ['\\X000d\\', '\r'],
  ];
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== e) {
      out += text[i];
      i++;
      continue;
    }
    const hit = sequences.find(([seq]) => text.startsWith(seq, i));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
      continue;
    }
    const next = text[i + 1];
    if (next !== undefined && '.CMXZ'.includes(next)) {
      // Formatting, charset and hex sequences are kept verbatim (so `\X41\` stays `\X41\`), when closed.
      const close = text.indexOf(e, i + 1);
      if (close > 0) {
        out += text.slice(i, close + 1);
        i = close + 1;
      } else i++;
    } else if (next === 'H' || next === 'N') {
      if (text.indexOf(e, i + 1) === i + 2) {
        out += text.slice(i, i + 3);
        i += 3;
      } else i++;
    } else i++;
  }
  return out;
}

/** HAPI's DefaultEscaping.escape, needed only to rebuild the text HAPI re-parses for a primitive OBX-5. */
export function hapiEscape(text: string, d: Delimiters): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === d.escape) {
      const next = text[i + 1];
      if (next !== undefined && '.CMXZ'.includes(next)) {
        const close = text.indexOf(d.escape, i + 1);
        if (close > 0) {
          out += text.slice(i, close + 1);
          i = close;
          continue;
        }
      } else if ((next === 'H' || next === 'N') && text[i + 2] === '\\') {
        out += text.slice(i, i + 3);
        i += 2;
        continue;
      }
      out += `${d.escape}E${d.escape}`;
    } else if (c === d.field) out += `${d.escape}F${d.escape}`;
    else if (c === d.component) out += `${d.escape}S${d.escape}`;
    else if (c === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (c === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (c === '\r') out += '\\X000d\\';
    else out += c;
  }
  return out;
}
