/**
 * CVRS value sets: one code a line, then its label as "(label)", "label" or tab-separated fields; "#" lines mark
 * sections ("not used for CVRS Extract") but the codes below them are still accepted by the validator.
 *
 */
import type { CodesetsData } from '#codecs/codesets/types.ts';

function valueLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function fields(line: string): string[] {
  return line.split(/\t|\s{2,}/).map((f) => f.trim());
}

/** Code → label, in file order. */
export function readValueSet(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of valueLines(text)) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    let label = fields(m[2] ?? '')
      .filter((f) => f !== '')
      .join(', ');
    if (/^\(.*\)$/.test(label)) label = label.slice(1, -1).trim();
    out.set(m[1] ?? '', label);
  }
  return out;
}

export function readCounties(text: string): { fips: string; name: string; state: string }[] {
  return valueLines(text).map((line) => {
    const m = /^(\d{5})\s+(.+),\s*([A-Z]{2})$/.exec(line);
    if (!m) throw new Error(`COUNTY.txt: unreadable line ${JSON.stringify(line)}`);
    const [, fips = '', name = '', state = ''] = m;
    if (name.includes('|')) throw new Error(`COUNTY.txt: "|" in ${name}`);
    return { fips, name, state };
  });
}

/** CDC writes ZIP prefixes as 2-, 3- or 5-digit items and ranges ("35-36,398-399,96799"); 2-digit become 3-digit. */
export function zipPrefixes(list: string, where: string): string[] {
  if (list.trim() === '') return [];
  return list.split(',').map((item) => {
    const [lo = '', hi = lo, extra] = item.trim().split('-');
    if (extra !== undefined || !/^\d+$/.test(lo) || !/^\d+$/.test(hi) || lo.length !== hi.length || lo > hi) {
      throw new Error(`${where}: ZIP prefix ${item}`);
    }
    if (lo.length === 2) return `${lo}0-${hi}9`;
    if (lo.length === 3 || lo.length === 5) return lo === hi ? lo : `${lo}-${hi}`;
    throw new Error(`${where}: ZIP prefix ${item} is neither 2, 3 nor 5 digits`);
  });
}

export function readStates(text: string): CodesetsData['state'] {
  const out: CodesetsData['state'] = {};
  for (const line of valueLines(text)) {
    const [abbr = '', name = '', fips = '', zips = ''] = line.split('\t').map((f) => f.trim());
    if (!/^[A-Z]{2}$/.test(abbr) || !/^\d{2}$/.test(fips)) {
      throw new Error(`STATE.txt: unreadable line ${line}`);
    }
    out[abbr] = { name, fips, zipPrefixes: zipPrefixes(zips, `STATE.txt ${abbr}`) };
  }
  return out;
}
