/**
 * Writes docs/rules.md from the rule catalogue in shared/platform/findings.ts, so the list a clinic reads is
 * the list the code applies. A test fails when the committed file is stale.
 *
 *   node scripts/generate-rules-doc.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUIREMENTS } from '#doses/requirements.ts';
import { FILE_RULES } from '#files/format.ts';
import { RULES, type RuleInfo } from '#platform/findings.ts';

export function rulesMarkdown(): string {
  const lines = [
    '# Validation rules',
    '',
    'Generated from `shared/platform/findings.ts` and the CVRS specification by `node scripts/generate-rules-doc.ts`; do not edit by hand.',
    '',
    'Every finding is `{code, severity, field, message}`. **error** rejects the dose; **warning** and **info** accept it and are returned with it.',
    '',
    "Where CDC's CVRS validator makes the same check, the finding carries CDC's code, field and level (the column **CDC** says so); where our intake reads what CDC would refuse (a MM/DD/YYYY date, a ZIP without its hyphen), the same CDC code comes as a warning. Our own checks have codes of their own (DQ, STK, SITE, FILE) and CDC does not make them. `npm run validate -- --cdc FILE` applies CDC's rules alone, as CDC's tool does.",
    '',
    '| code | severity | source | CDC | what it checks |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(RULES).map(
      ([code, r]: [string, RuleInfo]) =>
        `| ${code} | ${r.severity} | ${r.source} | ${r.cdc ?? 'not a CDC check'} | ${r.summary} |`,
    ),
    '',
    '## Whole-file findings (dropped files)',
    '',
    'A file with one of these errors gets a results file with that one finding, and nothing is stored. A file with some bad rows is not a whole-file problem: its good rows are stored.',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...Object.entries(FILE_RULES).map(([code, text]) => `| ${code} | ${text} |`),
    '',
    '## Request-level errors',
    '',
    '| code | HTTP | meaning |',
    '| --- | --- | --- |',
    '| REQ001 | 400 | The body is empty or not valid JSON (the message gives line and column). |',
    '| REQ002 | 415 | The body is not sent as `application/json`. |',
    '| REQ003 | 413 | The body is larger than 1,000,000 bytes (the largest AWS admits whatever its content). |',
    '| REQ005 | 400 / 413 | The body is not a dose or `{"doses": [...]}`, or has more doses than allowed. |',
    '| REQ006 | 428 / 400 | If-Match is missing (428), or is not `*` or a list of entity-tags such as `"3"` (400). |',
    "| REQ008 | 400 | A query parameter is malformed or out of range (a report's `date`, `format` or filter; a list's `limit` or `before`): the field names it. |",
    '| REQ009 | 400 | An identifier in the path or query is longer than its documented maximum (vax_event_id 199, iis_id 20, upload_id 23, ndc 50, lot_number 20 bytes). |',
    '| REQ412 | 412 | If-Match does not match the current version: the dose changed since it was read, or the tags are weak or not ours. |',
    '| AUTH001 | 401 | No valid key (malformed, unknown or revoked: the message says which). |',
    '| AUTH002–AUTH004 | 403 | The key may not do this (admin vs site key; a site it does not submit for). |',
    '| SITE001 | 409 | The Org Code is already enrolled. |',
    '',
    '## Required fields',
    '',
    'From the CVRS specification, adjusted for intake of the identified model (see `shared/doses/requirements.ts`).',
    '',
    '| field | administered | refusal |',
    '| --- | --- | --- |',
    ...REQUIREMENTS.map((r) => `| ${r.field} | ${r.vaccination} | ${r.refusal} |`),
    '',
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'docs', 'rules.md');
  writeFileSync(out, rulesMarkdown());
  console.log(`wrote ${out}`);
}
