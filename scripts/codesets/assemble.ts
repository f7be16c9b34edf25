/** Code sets assembled from the two sources: COVID-19 CVX and NDC with their links, MVX, coded values, places. */

import { normalizeNdc } from '#codecs/codesets/ndc.ts';
import type {
  CodedValue,
  CodesetsData,
  CvxEntry,
  NdcEntry,
  PlaceholderKind,
  RouteEntry,
  UseWindow,
} from '#codecs/codesets/types.ts';
import { status, type XmlCode } from './codebase.ts';
import { readCounties, readStates, readValueSet } from './value-sets.ts';

/** Named in CVRS as "factitious codes for development purposes"; they must never validate as products. */
const PLACEHOLDERS: Record<PlaceholderKind, string[]> = {
  cvx: ['900', '901', '902'],
  mvx: ['AAA', 'BBB'],
  ndc: ['80777-9999-00', '99999-9999-01'],
};
const COVID_GROUP = 'COVID-19';

export interface Sources {
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
