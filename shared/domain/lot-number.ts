import { type Finding, finding } from './findings.ts';

const LOT_CHARS = /^[A-Z0-9-]+$/;
/** Words clinics type around a lot number (AIRA MQE): they are not part of it and registries flag them. */
const JUNK_PREFIXES = ['LOT', 'MED', 'VFC', 'STATE', 'PRIVATE', 'PVT', 'NDC', 'N/A', 'NA-', 'UNK'];
const JUNK_SUFFIXES = ['-P', '-V', '-S', 'VFC', 'STATE', 'PRIVATE', 'PVT'];

/** Lot-number format rules for an upper-cased, trimmed lot number. */
export function checkLotNumber(lot: string): Finding[] {
  const out: Finding[] = [];
  if (!LOT_CHARS.test(lot)) {
    out.push(
      finding(
        'DQ003',
        'lot_number',
        `Lot number "${lot}" may contain only letters, digits and hyphens. Copy it exactly as printed on the vial.`,
      ),
    );
    return out;
  }
  if (lot.length <= 4)
    out.push(
      finding(
        'DQ004',
        'lot_number',
        `Lot number "${lot}" is very short. Check that the whole lot number was entered.`,
      ),
    );
  const prefix = JUNK_PREFIXES.find((p) => lot.startsWith(p) && lot.length > p.length);
  const suffix = JUNK_SUFFIXES.find((s) => lot.endsWith(s) && lot.length > s.length);
  if (prefix || suffix)
    out.push(
      finding(
        'DQ005',
        'lot_number',
        `Lot number "${lot}" ${prefix ? `starts with "${prefix}"` : `ends with "${suffix}"`}, which is usually not part of a lot number. Enter only the lot number printed on the vial.`,
      ),
    );
  return out;
}
