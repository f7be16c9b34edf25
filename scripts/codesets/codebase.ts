/**
 * Compiled.xml, the AIRA code base: a flat, regular document (codebase > codeset > code), read with anchored
 * regular expressions.
 */
import type { CodeStatus, UseWindow } from '#codecs/codesets/types.ts';

const STATUSES: readonly CodeStatus[] = ['Valid', 'Invalid', 'Deprecated', 'Ignored', 'Unrecognized'];

export interface XmlCode {
  value: string;
  label: string;
  /** Raw; checked against CodeStatus only for the codesets we keep (some others carry none). */
  status: string | undefined;
  window: UseWindow;
  links: { codeset: string; value: string }[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(Number(e[1] === 'x' ? `0${e.slice(1)}` : e.slice(1)));
      return ENTITIES[e] ?? all;
    })
    .trim();
}

const tagPatterns = new Map<string, RegExp>();
function tag(xml: string, name: string): string | undefined {
  let re = tagPatterns.get(name);
  if (!re) {
    re = new RegExp(`<${name}>([^<]*)</${name}>`);
    tagPatterns.set(name, re);
  }
  const m = re.exec(xml);
  return m ? decode(m[1] ?? '') : undefined;
}

function isoDate(compact: string | undefined, where: string): string | undefined {
  if (compact === undefined || compact === '') return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (!m) throw new Error(`${where}: date ${compact} is not YYYYMMDD`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

export function status(code: XmlCode): CodeStatus {
  const s = STATUSES.find((x) => x === code.status);
  if (s) return s;
  throw new Error(`Compiled.xml ${code.value}: unknown status ${code.status}; add it to CodeStatus if real`);
}

/** Codeset type → its codes, in document order. */
export function readCodebase(xml: string): Map<string, XmlCode[]> {
  const sets = new Map<string, XmlCode[]>();
  for (const [, body = ''] of xml.matchAll(/<codeset>([\s\S]*?)<\/codeset>/g)) {
    const type = tag(body, 'type');
    if (!type) throw new Error('Compiled.xml: codeset without <type>');
    const codes: XmlCode[] = [];
    for (const [, code = ''] of body.matchAll(/<code>([\s\S]*?)<\/code>/g)) {
      const value = tag(code, 'value') ?? '';
      const where = `${type} ${value}`;
      const window: UseWindow = {
        notBefore: isoDate(tag(code, 'not-before'), where),
        notExpectedBefore: isoDate(tag(code, 'not-expected-before'), where),
        notExpectedAfter: isoDate(tag(code, 'not-expected-after'), where),
        notAfter: isoDate(tag(code, 'not-after'), where),
      };
      const links = [...code.matchAll(/<link-to codeset="([^"]*)">([^<]*)<\/link-to>/g)].map((m) => ({
        codeset: m[1] ?? '',
        value: decode(m[2] ?? ''),
      }));
      codes.push({ value, label: tag(code, 'label') ?? '', status: tag(code, 'status'), window, links });
    }
    sets.set(type, codes);
  }
  return sets;
}
