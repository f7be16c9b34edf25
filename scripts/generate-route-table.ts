/** npm run routes: rewrites README.md's route table from the route declarations (shared/<capability>/endpoints.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withRouteTable } from '#platform/http/route-table.ts';

const readme = resolve(import.meta.dirname, '..', 'README.md');
writeFileSync(readme, withRouteTable(readFileSync(readme, 'utf8')));
process.stdout.write(`wrote the route table in ${readme}\n`);
