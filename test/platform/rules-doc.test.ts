import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '#platform/findings.ts';
import { rulesMarkdown } from '../../scripts/generate-rules-doc.ts';

describe('docs/rules.md', () => {
  it('is the generated list of every rule (run `node scripts/generate-rules-doc.ts` if this fails)', () => {
    const committed = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
    expect(committed).toBe(rulesMarkdown());
    for (const code of Object.keys(RULES)) expect(committed).toContain(`| ${code} |`);
  });
});
