import { readFileSync } from 'node:fs';

/** A fixture of CDC's tool as text. */
export const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/cdc-validator/${name}`, import.meta.url), 'utf8');

/** A CVRS text file as rows of header → value (CRLF and LF both end a row; no quoting, as CDC reads it). */
export function cvrsRows(text: string): Record<string, string>[] {
  const [header, ...rows] = text.split(/\r?\n/).filter((l) => l !== '');
  const names = header!.split('\t');
  return rows.map((row) => {
    const values = row.split('\t');
    return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
  });
}

// One redacted vaccination in CDC's own test style; each test changes the segment it is about.
export const MSH = 'MSH|^~\\&|||||20201103190809.124-0500|D|VXU^V04^VXU_V04|890801|P|2.5.1||||||||||COVID-A';
export const PID =
  'PID|||7||Redacted^Redacted^Redacted||20150826|F||2106-3^^CDCREC|Redacted^Redacted^Redacted^MI^48877^^^^26001|||||||||||2186-5^^CDCREC';
export const ORC = 'ORC|||ev-1';
export const RXA =
  'RXA|||20201004||208^^CVX^59267-1000-01^^NDC||||||^^^Cap&788899^^17^^^98 Monroe Center St NW^^Grand Rapids^MI^49504^^^26001||||EL3246|20210331|PFR^^MVX';
export const RXR = 'RXR|C28161^^NCIT|LD^^HL70163';
export const OBX = [
  'OBX||CE|VXC8^Member of Special Risk Group^PHIN VS||UNK',
  'OBX||CE|59783-1^Status in immunization series^LN||NO',
  'OBX||CE|30973-2^Dose number in series^LN||1^^DCHDOSE',
  'OBX||CE|75505-8^Serological Evidence of Immunity^LN||UNK^Unknown^NullFlavor',
];
export const vxu = (...segments: string[]) => `${segments.join('\r')}\r`;
export const BASE = [MSH, PID, ORC, RXA, RXR, ...OBX];
export const replacing = (prefix: string, replacement: string, segments = BASE) =>
  vxu(...segments.map((s) => (s.startsWith(prefix) ? replacement : s)));
