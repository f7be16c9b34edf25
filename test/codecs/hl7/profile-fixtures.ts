import { readFileSync } from 'node:fs';
import type { ProfileViolation } from '#codecs/hl7/profile/check.ts';

// Shared by the profile*.test.ts files (the HL7 v2 conformance profiles, by topic).

export const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/hl7-profile/${name}`, import.meta.url), 'utf8');
export const msg = (...segments: string[]) => `${segments.join('\r')}\r`;
export const errors = (v: ProfileViolation[]) => v.filter((x) => x.severity === 'error');
export const brief = (v: ProfileViolation[]) => v.map((x) => `${x.severity} ${x.location} ${x.rule}`);

// A small Z22 message that conforms, varied one element at a time by the tests.
export const MSH =
  'MSH|^~\\&|wcApp|wcEHR|issApp|IIS|20150625121047.839-0500||VXU^V04^VXU_V04|35560|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|wcEHR|IIS';
export const PID =
  'PID|1||7120^^^wcEHR^MR||Barrett^Helen^^^^^L||19500317|F||2106-3^White^CDCREC|763 Main St^^Bozeman^MT^59715^USA^P|||||||||||2186-5^Not Hispanic or Latino^CDCREC';
export const ORC = 'ORC|RE|7646^wcEHR|53100^wcEHR';
export const RXA =
  'RXA|0|1|20150624||208^COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose^CVX|0.3|mL^mL^UCUM||00^New Record^NIP001||||||EW0150|20210630|PFR^Pfizer, Inc^MVX|||CP|A';
export const RXR = 'RXR|C28161^Intramuscular^NCIT|LD^Left Deltoid^HL70163';
export const OBX =
  'OBX|1|CE|64994-7^Vaccine Funding Program Eligibility^LN|1|V01^Not VFC eligible^HL70064||||||F|||20150624|||VXC40^per immunization^CDCPHINVS';
export const OBX_DT = 'OBX|2|DT|29769-7^Date Vis Presented^LN|2|20150624||||||F';
export const GOOD = [MSH, PID, ORC, RXA, RXR, OBX, OBX_DT];

/** GOOD with one segment replaced (by index) or several inserted. */
export function vary(changes: Record<number, string | string[]>): string {
  return msg(...GOOD.flatMap((s, i) => changes[i] ?? s));
}
