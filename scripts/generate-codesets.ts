/**
 * Generates shared/codecs/codesets/data/codesets.json and SOURCES.md from the reference folder:
 *   immregistries/Compiled.xml   AIRA code base (Apache-2.0, immregistries/IIS-Sandbox)
 *   cvrs/valuesets/*.txt         CDC CVRS validator value sets (Apache-2.0, CDCgov/CDC_IIS_Open_Tools)
 * The project never reads the reference folder at run time; this script is how code sets get in, and it is kept
 * so they can be regenerated when either source changes. Output is deterministic (sorted keys, one entry a line).
 *
 *   node scripts/generate-codesets.ts [referenceDir]     (default ../shared/reference from the repo root)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  CodedValue,
  CodeStatus,
  CodesetsData,
  CvxEntry,
  NdcEntry,
  PlaceholderKind,
  RouteEntry,
  UseWindow,
} from '#codecs/codesets/index.ts';
import { normalizeNdc } from '#codecs/codesets/ndc.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultReferenceDir = join(root, '..', 'shared', 'reference');
export const outDir = join(root, 'shared', 'codecs', 'codesets', 'data');

/** Named in CVRS as "factitious codes for development purposes"; they must never validate as products. */
const PLACEHOLDERS: Record<PlaceholderKind, string[]> = {
  cvx: ['900', '901', '902'],
  mvx: ['AAA', 'BBB'],
  ndc: ['80777-9999-00', '99999-9999-01'],
};
const COVID_GROUP = 'COVID-19';
const STATUSES: readonly CodeStatus[] = ['Valid', 'Invalid', 'Deprecated', 'Ignored', 'Unrecognized'];

// ---------------------------------------------------------------------------------------------------------------
// Compiled.xml: a flat, regular document (codebase > codeset > code), read with anchored regular expressions.

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

function status(code: XmlCode): CodeStatus {
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

// ---------------------------------------------------------------------------------------------------------------
// CVRS value sets: one code a line, then its label as "(label)", "label" or tab-separated fields; "#" lines mark
// sections ("not used for CVRS Extract") but the codes below them are still accepted by the validator.

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

// ---------------------------------------------------------------------------------------------------------------
// Assembly

interface Sources {
  codebase: Map<string, XmlCode[]>;
  cvrs: (name: string) => string;
}

function codeset(src: Sources, type: string): XmlCode[] {
  const set = src.codebase.get(type);
  if (!set) throw new Error(`Compiled.xml: no codeset ${type}`);
  return set;
}

const linked = (code: XmlCode, codeset: string) =>
  code.links.filter((l) => l.codeset === codeset).map((l) => l.value);
const uniqueSorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** Only the bounds the source gives, so absent bounds stay absent in the JSON. */
function bounds(w: UseWindow): UseWindow {
  const out: { -readonly [K in keyof UseWindow]: UseWindow[K] } = {};
  for (const k of ['notBefore', 'notExpectedBefore', 'notExpectedAfter', 'notAfter'] as const) {
    if (w[k] !== undefined) out[k] = w[k];
  }
  return out;
}

function covidCvx(src: Sources): Map<string, XmlCode> {
  const out = new Map<string, XmlCode>();
  for (const c of codeset(src, 'VACCINATION_CVX_CODE')) {
    if (linked(c, 'VACCINE_GROUP').includes(COVID_GROUP)) out.set(c.value, c);
  }
  return out;
}

interface NdcDraft {
  code: string;
  kind: 'use' | 'sale';
  xml: XmlCode;
  cvx: string;
  mvx: string[];
  links: string[];
}

/**
 * The code base lists each NDC up to three times (10-digit, bare 11-digit, hyphenated 11-digit; the first two
 * Deprecated and without links). Keep the hyphenated 11-digit record, with the union of the group's links.
 */
function ndcDrafts(src: Sources, covid: Map<string, XmlCode>, notes: string[]): NdcDraft[] {
  const drafts: NdcDraft[] = [];
  for (const [kind, type, other] of [
    ['use', 'VACCINATION_NDC_CODE_UNIT_OF_USE', 'VACCINATION_NDC_CODE_UNIT_OF_SALE'],
    ['sale', 'VACCINATION_NDC_CODE_UNIT_OF_SALE', 'VACCINATION_NDC_CODE_UNIT_OF_USE'],
  ] as const) {
    const groups = new Map<string, XmlCode[]>();
    for (const c of codeset(src, type)) {
      const n = normalizeNdc(c.value);
      if (n === undefined) {
        notes.push(`${type} ${c.value}: not an NDC layout, skipped`);
        continue;
      }
      groups.set(n, [...(groups.get(n) ?? []), c]);
    }
    for (const [code, group] of groups) {
      const all = group.flatMap((c) => c.links);
      const cvxs = uniqueSorted(all.filter((l) => l.codeset === 'VACCINATION_CVX_CODE').map((l) => l.value));
      if (!cvxs.some((c) => covid.has(c))) continue;
      if (cvxs.length !== 1) throw new Error(`${type} ${code}: links CVX ${cvxs.join(', ')}`);
      const xml = group.find((c) => c.value === code) ?? group[0]!;
      const links = all.filter((l) => l.codeset === other).map((l) => normalizeNdc(l.value) ?? l.value);
      const mvx = uniqueSorted(
        all.filter((l) => l.codeset === 'VACCINATION_MANUFACTURER_CODE').map((l) => l.value),
      );
      drafts.push({ code, kind, xml, cvx: cvxs[0]!, mvx, links });
    }
  }
  return drafts;
}

/**
 * A few records carry a stray cross-link to another product (a Moderna carton linking PMC and a Fluzone vial).
 * An NDC's manufacturer follows its labeler code, so a second MVX is dropped when the labeler's other NDCs never
 * use it; anything still ambiguous stops generation for a person to look at.
 */
function resolveMvx(drafts: NdcDraft[], notes: string[]): Map<string, string> {
  const byLabeler = new Map<string, Set<string>>();
  for (const d of drafts) {
    if (d.mvx.length !== 1) continue;
    const labeler = d.code.slice(0, 5);
    byLabeler.set(labeler, (byLabeler.get(labeler) ?? new Set()).add(d.mvx[0]!));
  }
  const out = new Map<string, string>();
  for (const d of drafts) {
    const kept = d.mvx.length === 1 ? d.mvx : d.mvx.filter((m) => byLabeler.get(d.code.slice(0, 5))?.has(m));
    if (kept.length !== 1) {
      throw new Error(`NDC ${d.code}: cannot settle its MVX among ${d.mvx.join(', ') || 'none'}`);
    }
    if (d.mvx.length > 1) {
      notes.push(
        `NDC ${d.code} links MVX ${d.mvx.join(' and ')}; kept ${kept[0]}, the MVX of its labeler's other NDCs.`,
      );
    }
    out.set(`${d.kind} ${d.code}`, kept[0]!);
  }
  return out;
}

function buildNdcs(drafts: NdcDraft[], notes: string[]): CodesetsData['ndc'] {
  const mvx = resolveMvx(drafts, notes);
  const useNdc = new Map(drafts.filter((d) => d.kind === 'use').map((d) => [d.code, d]));
  const out: CodesetsData['ndc'] = {};
  for (const d of drafts) {
    if (out[d.code]) throw new Error(`NDC ${d.code} is both a unit of use and a unit of sale`);
    let unitsOfUse: string[] = [];
    if (d.kind === 'sale') {
      // Links run both ways in the source; a stray link to another vaccine's vial is dropped.
      const candidates = [
        ...d.links,
        ...[...useNdc.values()].filter((u) => u.links.includes(d.code)).map((u) => u.code),
      ];
      unitsOfUse = uniqueSorted(candidates.filter((u) => useNdc.get(u)?.cvx === d.cvx));
      for (const stray of uniqueSorted(candidates.filter((u) => useNdc.get(u)?.cvx !== d.cvx))) {
        notes.push(
          `NDC ${d.code} (CVX ${d.cvx}) links unit of use ${stray}, which is not CVX ${d.cvx}; link dropped.`,
        );
      }
    }
    const entry: Omit<NdcEntry, 'code'> = {
      kind: d.kind,
      cvx: d.cvx,
      mvx: mvx.get(`${d.kind} ${d.code}`)!,
      status: status(d.xml),
      ...bounds(d.xml.window),
      unitsOfUse,
    };
    out[d.code] = entry;
  }
  return out;
}

function buildCvx(covid: Map<string, XmlCode>, ndcs: CodesetsData['ndc']): CodesetsData['cvx'] {
  const out: CodesetsData['cvx'] = {};
  for (const [code, c] of covid) {
    const entry: Omit<CvxEntry, 'code'> = {
      label: c.label,
      status: status(c),
      ...bounds(c.window),
      mvx: uniqueSorted(
        Object.values(ndcs)
          .filter((n) => n.cvx === code)
          .map((n) => n.mvx),
      ),
    };
    out[code] = entry;
  }
  return out;
}

/**
 * AIRA supplies status and label, CVRS says what CDC's validator accepts. Where AIRA lists a code twice under
 * different labels (LA "Left Arm"/"Left Upper Arm", 2076-8 "Hawaiian"/"Native Hawaiian or …"), CVRS picks one.
 */
function coded(xml: XmlCode[], cvrs: Map<string, string>): Record<string, Omit<CodedValue, 'code'>> {
  const byCode = new Map<string, XmlCode[]>();
  for (const c of xml) byCode.set(c.value, [...(byCode.get(c.value) ?? []), c]);
  const out: Record<string, Omit<CodedValue, 'code'>> = {};
  for (const code of new Set([...byCode.keys(), ...cvrs.keys()])) {
    const all = byCode.get(code) ?? [];
    const valid = all.filter((c) => c.status === 'Valid');
    const candidates = valid.length ? valid : all;
    const cdc = cvrs.get(code);
    const matching = candidates.find((c) => c.label.toLowerCase() === cdc?.toLowerCase());
    const a = matching ?? candidates[0];
    const ambiguous = new Set(candidates.map((c) => c.label)).size > 1;
    const label = (ambiguous ? matching?.label : a?.label) ?? cdc ?? a?.label ?? '';
    out[code] = a ? { label, status: status(a), cvrs: cdc !== undefined } : { label, cvrs: true };
  }
  return out;
}

/** Route codes: NCIt concepts are "C" + digits; a 0162 code and an NCIt code with the same label are equivalent. */
function buildRoutes(xml: XmlCode[], cvrs: Map<string, string>): CodesetsData['route'] {
  const base = coded(xml, cvrs);
  const systemOf = (code: string): RouteEntry['system'] => (/^C\d+$/.test(code) ? 'NCIT' : 'HL7-0162');
  const byLabel = new Map<string, string[]>();
  for (const [code, v] of Object.entries(base)) {
    const key = v.label.toLowerCase();
    byLabel.set(key, [...(byLabel.get(key) ?? []), code]);
  }
  const out: CodesetsData['route'] = {};
  for (const [code, v] of Object.entries(base)) {
    const peers = (byLabel.get(v.label.toLowerCase()) ?? []).filter((p) => systemOf(p) !== systemOf(code));
    out[code] = { ...v, system: systemOf(code), ...(peers.length === 1 ? { equivalent: peers[0]! } : {}) };
  }
  return out;
}

function buildPlaceholders(src: Sources, notes: string[]): CodesetsData['placeholder'] {
  const files: Record<PlaceholderKind, string> = { cvx: 'CVX.txt', mvx: 'MVX.txt', ndc: 'NDC.txt' };
  const inCodebase: Record<PlaceholderKind, Set<string>> = {
    cvx: new Set(codeset(src, 'VACCINATION_CVX_CODE').map((c) => c.value)),
    mvx: new Set(codeset(src, 'VACCINATION_MANUFACTURER_CODE').map((c) => c.value)),
    ndc: new Set(
      [
        ...codeset(src, 'VACCINATION_NDC_CODE_UNIT_OF_USE'),
        ...codeset(src, 'VACCINATION_NDC_CODE_UNIT_OF_SALE'),
      ].map((c) => normalizeNdc(c.value) ?? c.value),
    ),
  };
  const out: CodesetsData['placeholder'] = { cvx: {}, mvx: {}, ndc: {} };
  for (const kind of ['cvx', 'mvx', 'ndc'] as const) {
    const set = readValueSet(src.cvrs(files[kind]));
    for (const code of PLACEHOLDERS[kind]) {
      const label = set.get(code);
      if (label === undefined) {
        throw new Error(`${files[kind]}: placeholder ${code} not found; review PLACEHOLDERS`);
      }
      if (inCodebase[kind].has(code)) throw new Error(`${kind} ${code} is a real code in Compiled.xml now`);
      out[kind][code] = label;
    }
    for (const code of set.keys()) {
      const key = kind === 'ndc' ? (normalizeNdc(code) ?? code) : code;
      if (!inCodebase[kind].has(key) && !PLACEHOLDERS[kind].includes(key)) {
        notes.push(
          `${files[kind]} lists ${code}, unknown to Compiled.xml and not a known placeholder; not included.`,
        );
      }
    }
  }
  return out;
}

/** Counties grouped by state, whose FIPS prefix they share, as one "CCC Name|…" string: 3,000 names stay small. */
function buildCounties(text: string): CodesetsData['county'] {
  const byState = new Map<string, { fips: string; names: string[] }>();
  for (const c of readCounties(text).sort((a, b) => (a.fips < b.fips ? -1 : 1))) {
    const group = byState.get(c.state) ?? { fips: c.fips.slice(0, 2), names: [] };
    if (group.fips !== c.fips.slice(0, 2)) {
      throw new Error(`COUNTY.txt: ${c.fips} is not in ${c.state}'s FIPS range`);
    }
    group.names.push(`${c.fips.slice(2)} ${c.name}`);
    byState.set(c.state, group);
  }
  return Object.fromEntries([...byState].map(([s, g]) => [s, { fips: g.fips, counties: g.names.join('|') }]));
}

export function buildCodesets(src: Sources): { data: CodesetsData; notes: string[] } {
  const notes: string[] = [];
  const covid = covidCvx(src);
  const ndc = buildNdcs(ndcDrafts(src, covid, notes), notes);
  const placeholder = buildPlaceholders(src, notes);

  const otherCvx: Record<string, string> = {};
  for (const c of codeset(src, 'VACCINATION_CVX_CODE')) if (!covid.has(c.value)) otherCvx[c.value] = c.label;

  const mvx: CodesetsData['mvx'] = {};
  for (const c of codeset(src, 'VACCINATION_MANUFACTURER_CODE')) {
    mvx[c.value] = { label: c.label, status: status(c) };
  }

  const set = (name: string) => readValueSet(src.cvrs(name));
  const data: CodesetsData = {
    cvx: buildCvx(covid, ndc),
    otherCvx,
    ndc,
    mvx,
    route: buildRoutes(codeset(src, 'BODY_ROUTE'), set('ROUTE.txt')),
    bodySite: coded(codeset(src, 'BODY_SITE'), set('SITE.txt')),
    race: coded(codeset(src, 'PATIENT_RACE'), set('RACEWITHUNK.txt')),
    ethnicity: coded(codeset(src, 'PATIENT_ETHNICITY'), set('ETHNICITY.txt')),
    sex: coded(codeset(src, 'PATIENT_SEX'), set('SEX.txt')),
    adminType: Object.fromEntries(set('DCHTYPE2.txt')),
    doseNumber: Object.fromEntries(set('DOSE.txt')),
    yesNo: uniqueSorted(set('YES_NO.txt').keys()),
    yesNoUnk: uniqueSorted(set('YES_NO_UNK.txt').keys()),
    county: buildCounties(src.cvrs('COUNTY.txt')),
    state: readStates(src.cvrs('STATE.txt')),
    placeholder,
  };
  return { data, notes };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

/** JSON with keys sorted at every level; the first two levels one key a line so diffs show which code changed. */
export function serialize(data: CodesetsData): string {
  const compact = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(compact).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      return `{${entries
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => `${JSON.stringify(k)}:${compact(x)}`)
        .join(',')}}`;
    }
    return JSON.stringify(v);
  };
  const block = (v: unknown, depth: number): string => {
    if (depth === 2 || Array.isArray(v) || v === null || typeof v !== 'object') return compact(v);
    const pad = ' '.repeat(depth + 1);
    const lines = Object.entries(v)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${pad}${JSON.stringify(k)}: ${block(x, depth + 1)}`);
    return `{\n${lines.join(',\n')}\n${' '.repeat(depth)}}`;
  };
  return `${block(data, 0)}\n`;
}

const VALUE_SETS =
  'COUNTY CVX DCHTYPE2 DOSE ETHNICITY MVX NDC RACEWITHUNK ROUTE SEX SITE STATE YES_NO YES_NO_UNK';
const INPUTS = ['immregistries/Compiled.xml', ...VALUE_SETS.split(' ').map((n) => `cvrs/valuesets/${n}.txt`)];

export function sourcesMarkdown(refDir: string, notes: string[]): string {
  const rows = INPUTS.map((f) => {
    const hash = createHash('sha256')
      .update(readFileSync(join(refDir, f)))
      .digest('hex');
    return `| \`${f}\` | \`${hash.slice(0, 16)}\` |`;
  });
  return [
    '# Code set sources',
    '',
    '`codesets.json` is generated by `scripts/generate-codesets.ts`; edit the sources or the script, not the JSON.',
    '',
    '- `immregistries/Compiled.xml`: the AIRA code base (CVX, MVX, NDC unit of use / unit of sale, route, body site,',
    '  race, ethnicity, sex, with statuses and use-date windows), from',
    '  [immregistries/IIS-Sandbox](https://github.com/immregistries/IIS-Sandbox) `src/main/resources/Compiled.xml`.',
    '  Licence: Apache-2.0.',
    "- `cvrs/valuesets/*.txt`: value sets of CDC's CVRS extract validator (county FIPS, states with FIPS and ZIP",
    '  prefixes, admin_type, dose number, race, ethnicity, route, site, sex, yes/no, and the placeholder CVX, MVX and',
    '  NDC test codes), from [CDCgov/CDC_IIS_Open_Tools](https://github.com/CDCgov/CDC_IIS_Open_Tools)',
    '  `extract-validator/src/main/resources/`. Licence: Apache-2.0.',
    '',
    '| Input (under the reference folder) | SHA-256 (first 16) |',
    '| --- | --- |',
    ...rows,
    '',
    '## Corrections made while generating',
    '',
    ...(notes.length ? notes.map((n) => `- ${n}`) : ['- None.']),
    '',
  ].join('\n');
}

export function generate(refDir: string): { json: string; sources: string; notes: string[] } {
  const src: Sources = {
    codebase: readCodebase(readFileSync(join(refDir, 'immregistries', 'Compiled.xml'), 'utf8')),
    cvrs: (name) => readFileSync(join(refDir, 'cvrs', 'valuesets', name), 'utf8'),
  };
  const { data, notes } = buildCodesets(src);
  return { json: serialize(data), sources: sourcesMarkdown(refDir, notes), notes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const refDir = resolve(process.argv[2] ?? defaultReferenceDir);
  const { json, sources, notes } = generate(refDir);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'codesets.json'), json);
  writeFileSync(join(outDir, 'SOURCES.md'), sources);
  for (const n of notes) console.warn(`note: ${n}`);
  console.log(
    `wrote ${join(outDir, 'codesets.json')} (${(Buffer.byteLength(json) / 1024).toFixed(1)} KB) from ${refDir}`,
  );
}
