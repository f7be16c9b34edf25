import { echo, type Finding, finding } from '#platform/findings.ts';

const LOT_CHARS = /^[A-Z0-9-]+$/;
/** Words clinics type around a lot number (AIRA MQE): they are not part of it and registries flag them. */
const JUNK_PREFIXES = ['LOT', 'MED', 'VFC', 'STATE', 'PRIVATE', 'PVT', 'NDC', 'UNK'];
const JUNK_SUFFIXES = ['-P', '-V', '-S', 'VFC', 'STATE', 'PRIVATE', 'PVT'];
const SEPARATORS = /^[\s:#.-]*/;

/** The junk word at either end of a lot number, if any ("LOT 039K20A", "LOT#039K20A", "039K20A-P"). */
function junkAffix(lot: string): { where: 'starts' | 'ends'; word: string } | undefined {
  for (const p of JUNK_PREFIXES) {
    if (!lot.startsWith(p)) continue;
    const rest = lot.slice(p.length).replace(SEPARATORS, '');
    if (rest.length > 0 && rest !== lot.slice(p.length))
      return { where: 'starts', word: lot.slice(0, lot.length - rest.length) };
    if (rest.length > 0 && /^\d/.test(rest)) return { where: 'starts', word: p };
  }
  for (const sfx of JUNK_SUFFIXES) {
    if (lot.endsWith(sfx) && lot.length > sfx.length + 2) return { where: 'ends', word: sfx };
  }
  return undefined;
}

/** Lot-number format rules for an upper-cased, trimmed lot number. */
export function checkLotNumber(lot: string): Finding[] {
  const out: Finding[] = [];
  const junk = junkAffix(lot);
  if (junk)
    out.push(
      finding(
        'DQ005',
        'lot_number',
        `Lot number ${echo(lot)} ${junk.where} with "${junk.word.trim()}", which is not part of a lot number. Enter only the lot number printed on the vial.`,
      ),
    );
  if (!LOT_CHARS.test(lot))
    out.push(
      finding(
        'DQ003',
        'lot_number',
        `Lot number ${echo(lot)} may contain only letters, digits and hyphens. Copy it exactly as printed on the vial.`,
      ),
    );
  else if (lot.length <= 4)
    out.push(
      finding(
        'DQ004',
        'lot_number',
        `Lot number ${echo(lot)} is very short. Check that the whole lot number was entered.`,
      ),
    );
  return out;
}
