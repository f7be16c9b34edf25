/**
 * Generates shared/codecs/codesets/data/{products,values,geography}.json and SOURCES.md from the reference folder:
 *   immregistries/Compiled.xml   AIRA code base (Apache-2.0, immregistries/IIS-Sandbox)
 *   cvrs/valuesets/*.txt         CDC CVRS validator value sets (Apache-2.0, CDCgov/CDC_IIS_Open_Tools)
 * The project never reads the reference folder at run time; this script is how code sets get in, and it is kept
 * so they can be regenerated when either source changes. Output is deterministic (sorted keys, one entry a line).
 * Reading each source, assembling and writing are in scripts/codesets/.
 *
 *   node scripts/generate-codesets.ts [referenceDir]     (default ../shared/reference from the repo root)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CODESET_FILES, type CodesetsData } from '#codecs/codesets/types.ts';
import { buildCodesets, type Sources } from './codesets/assemble.ts';
import { readCodebase } from './codesets/codebase.ts';
import { serialize, sourcesMarkdown } from './codesets/output.ts';

export { buildCodesets } from './codesets/assemble.ts';
export { readCodebase, type XmlCode } from './codesets/codebase.ts';
export { serialize, sourcesMarkdown } from './codesets/output.ts';
export { readCounties, readStates, readValueSet, zipPrefixes } from './codesets/value-sets.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultReferenceDir = join(root, '..', 'shared', 'reference');
export const outDir = join(root, 'shared', 'codecs', 'codesets', 'data');

/** The data files the code set modules read (shared/codecs/codesets/types.ts: CODESET_FILES). */
export function generate(refDir: string): {
  files: Record<string, string>;
  sources: string;
  notes: string[];
} {
  const src: Sources = {
    codebase: readCodebase(readFileSync(join(refDir, 'immregistries', 'Compiled.xml'), 'utf8')),
    cvrs: (name) => readFileSync(join(refDir, 'cvrs', 'valuesets', name), 'utf8'),
  };
  const { data, notes } = buildCodesets(src);
  const files = Object.fromEntries(
    Object.entries(CODESET_FILES).map(([file, keys]) => [
      `${file}.json`,
      serialize(Object.fromEntries(keys.map((k) => [k, data[k]])) as Partial<CodesetsData>),
    ]),
  );
  return { files, sources: sourcesMarkdown(refDir, notes), notes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const refDir = resolve(process.argv[2] ?? defaultReferenceDir);
  const { files, sources, notes } = generate(refDir);
  mkdirSync(outDir, { recursive: true });
  for (const [name, json] of Object.entries(files)) {
    writeFileSync(join(outDir, name), json);
    console.log(
      `wrote ${join(outDir, name)} (${(Buffer.byteLength(json) / 1024).toFixed(1)} KB) from ${refDir}`,
    );
  }
  writeFileSync(join(outDir, 'SOURCES.md'), sources);
  for (const n of notes) console.warn(`note: ${n}`);
}
