/** `npm run console:build [-- <dir>]`: bundles the web console (default into dist/console; docs/console.md). */
import { resolve } from 'node:path';
import { buildConsole } from '#console/build.ts';

const dir = resolve(process.argv[2] ?? 'dist/console');
const files = await buildConsole(dir);
console.log(`console built into ${dir} (${files.length} files)`);
