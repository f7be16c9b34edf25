/** The small value sets: routes, body sites, race, ethnicity, sex, CVRS admin_type and dose_num, yes/no. */
import data from './data/values.json' with { type: 'json' };
import { get, has, index, labels } from './lookup.ts';
import type { CodedValue, CodesetsData, RouteEntry } from './types.ts';

const raw = data as Pick<
  CodesetsData,
  'route' | 'bodySite' | 'race' | 'ethnicity' | 'sex' | 'adminType' | 'doseNumber' | 'yesNo' | 'yesNoUnk'
>;

const routeMap = index<RouteEntry>(raw.route);
const siteMap = index<CodedValue>(raw.bodySite);
const raceMap = index<CodedValue>(raw.race);
const ethnicityMap = index<CodedValue>(raw.ethnicity);
const sexMap = index<CodedValue>(raw.sex);
const adminTypeMap = labels(raw.adminType);
const doseNumberMap = labels(raw.doseNumber);
const yesNoSet = new Set(raw.yesNo);
const yesNoUnkSet = new Set(raw.yesNoUnk);

/** HL7 table 0162 (IM, SC, ID, …) or NCIt (C28161, …) route. */
export function route(code: string): RouteEntry | undefined {
  return get(routeMap, code);
}

/** HL7 table 0163 administration site. */
export function bodySite(code: string): CodedValue | undefined {
  return get(siteMap, code);
}

export function race(code: string): CodedValue | undefined {
  return get(raceMap, code);
}

export function ethnicity(code: string): CodedValue | undefined {
  return get(ethnicityMap, code);
}

export function sex(code: string): CodedValue | undefined {
  return get(sexMap, code);
}

/** CVRS `admin_type` (administering site type): the label, or undefined when not in the value set. */
export function adminType(code: string): string | undefined {
  return get(adminTypeMap, code);
}

/** CVRS `dose_num`: the label, or undefined when not in the value set. */
export function doseNumber(code: string): string | undefined {
  return get(doseNumberMap, code);
}

export function yesNo(code: string): boolean {
  return has(yesNoSet, code);
}

export function yesNoUnk(code: string): boolean {
  return has(yesNoUnkSet, code);
}
