/**
 * Generates shared/codecs/cvrs/cvrs-spec.json from CDC's CVRS field specification
 * (../shared/reference/cvrs/CVRS_spec_v2_with_HL7_mapping.csv, Apache-2.0, CDCgov/CDC_IIS_Open_Tools).
 * The project never reads ../shared at run time; this script is how the spec gets in, and it is kept so the
 * data can be regenerated when CDC revises the spec.
 *
 *   node scripts/generate-cvrs-spec.ts [referenceDir]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const refDir = resolve(process.argv[2] ?? join(root, '..', 'shared', 'reference'));
const out = join(root, 'shared', 'codecs', 'cvrs', 'cvrs-spec.json');

/** RFC 4180 rows: quoted cells may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const clean = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

export function buildSpec(csvText: string) {
  const rows = parseCsv(csvText.replace(/^\uFEFF/, ''));
  return rows
    .filter((r) => /^\d+$/.test(clean(r[0])))
    .map((r) => ({
      number: Number(clean(r[0])),
      name: clean(r[2]),
      label: clean(r[1]),
      description: clean(r[3]),
      vaccination: clean(r[4]),
      refusal: clean(r[5]),
      valueSet: clean(r[6]),
      dataType: clean(r[7]),
      hl7: clean(r[9]).split(' ')[0] ?? '',
    }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = buildSpec(readFileSync(join(refDir, 'cvrs', 'CVRS_spec_v2_with_HL7_mapping.csv'), 'utf8'));
  writeFileSync(out, `${JSON.stringify(spec, null, 1)}\n`);
  console.log(`wrote ${spec.length} CVRS fields to ${out}`);
}
