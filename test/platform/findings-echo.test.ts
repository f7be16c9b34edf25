/**
 * Issue 18, item 2: what a finding repeats of the input is cut short, and unknown field names are reported a few
 * at a time, so neither the answer nor the stored item grows with the input (DynamoDB refuses items over 400 KB).
 */
import { describe, expect, it } from 'vitest';
import { buildVxu, cairFacilities } from '#codecs/hl7/index.ts';
import type { Dose } from '#doses/fields.ts';
import { MAX_UNKNOWN_FIELDS_REPORTED, normalizeDose } from '#doses/normalize.ts';
import { submitDoses } from '#doses/submit.ts';
import { receiveVxu } from '#doses/vxu-intake.ts';
import { echo, MAX_ECHO, shown } from '#platform/findings.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';
import { capturing } from '../fixtures/intake.ts';

const NOW = new Date('2021-03-12T18:00:00Z');
const caller = { role: 'site' as const, iis_id: demoSite.iis_id };
/** Far below DynamoDB's 400 KB item limit, and far above any real dose's answer. */
const BOUND = 32 * 1024;

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

describe('echo', () => {
  it('repeats a short value as it is, in quotes', () => {
    expect(echo('colour')).toBe('"colour"');
    expect(shown('colour')).toBe('colour');
  });

  it(`cuts a long value at ${MAX_ECHO} characters and says how long it was`, () => {
    const e = echo('x'.repeat(200_000));
    expect(e).toBe(`"${'x'.repeat(MAX_ECHO)}…" (200000 characters)`);
  });

  it('counts characters, not UTF-16 units, and never cuts a surrogate pair in half', () => {
    const e = echo('💉'.repeat(100));
    expect(e).toBe(`"${'💉'.repeat(MAX_ECHO)}…" (100 characters)`);
    expect(e.isWellFormed()).toBe(true);
  });

  it('shows controls, line breaks, noncharacters and lone surrogates as \\u escapes', () => {
    expect(shown('a\u0000b\tc\nd\u0085e\u2028f\ufffeg\ud800h\u{1ffff}')).toBe(
      'a\\u0000b\\u0009c\\u000Ad\\u0085e\\u2028f\\uFFFEg\\uD800h\\u{1FFFF}',
    );
  });
});

describe('findings stay small however large the input (issue 18)', () => {
  it('a 200 KB unknown field name gives a DQ016 of bounded size, in the answer and the stored item', async () => {
    const name = 'n'.repeat(200_000);
    const { deps, stored } = capturing();
    const out = await submitDoses([modernaDose({ [name]: 'x' })], caller, NOW, deps);
    if (!out.ok) throw new Error('refused');
    const [result] = out.results;
    expect(result!.status).toBe('accepted');
    const dq016 = result!.issues.find((f) => f.code === 'DQ016')!;
    expect(dq016.field.length).toBeLessThanOrEqual(MAX_ECHO + 1);
    expect(dq016.message.length).toBeLessThan(300);
    expect(dq016.message).toContain('(200000 characters)');
    expect(bytes(out)).toBeLessThan(BOUND);
    expect(stored).toHaveLength(1);
    expect(bytes(stored[0])).toBeLessThan(BOUND);
  });

  it(`reports ${MAX_UNKNOWN_FIELDS_REPORTED} unknown field names one by one and the rest as one count`, () => {
    const input = modernaDose(
      Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`extra_${i}`, i])),
    );
    const dq016 = normalizeDose(input).findings.filter((f) => f.code === 'DQ016');
    expect(dq016).toHaveLength(MAX_UNKNOWN_FIELDS_REPORTED + 1);
    expect(dq016.slice(0, MAX_UNKNOWN_FIELDS_REPORTED).map((f) => f.field)).toEqual([
      'extra_0',
      'extra_1',
      'extra_2',
      'extra_3',
      'extra_4',
    ]);
    expect(dq016.at(-1)!.message).toBe(
      `${10_000 - MAX_UNKNOWN_FIELDS_REPORTED} more field names are not CVRS field names and were ignored (10000 in all).`,
    );
  });

  it('the worst dose: every field too long or malformed, and thousands of long unknown names', async () => {
    const junk = (n: number) => '\u0000=Ω|'.repeat(n);
    const input: Record<string, unknown> = Object.fromEntries([
      ...Object.keys(modernaDose()).map((f) => [f, junk(40)]),
      ...Array.from({ length: 2_000 }, (_, i) => [`${i}${'k'.repeat(5_000)}`, junk(10)]),
    ]);
    const { deps, stored } = capturing();
    const out = await submitDoses([input, modernaDose({ cvx: junk(30), ndc: junk(30) })], caller, NOW, deps);
    if (!out.ok) throw new Error('refused');
    for (const r of out.results) expect(bytes(r)).toBeLessThan(BOUND);
    for (const v of stored) expect(bytes(v)).toBeLessThan(BOUND);
  });

  it('values are cut in value findings too: a long unknown code, ZIP or extract type', async () => {
    const long = `9${'9'.repeat(190)}`;
    const { deps } = capturing();
    const out = await submitDoses(
      [modernaDose({ admin_address_zip: long, ext_type: long, cvx: long, ndc: undefined, mvx: undefined })],
      caller,
      NOW,
      deps,
    );
    if (!out.ok) throw new Error('refused');
    const issues = out.results[0]!.issues;
    expect(issues.map((f) => `${f.code}:${f.field}`)).toEqual([
      'DATA005:admin_address_zip',
      'DATA005:ext_type',
      'DATA007:cvx',
    ]);
    for (const f of issues) {
      expect(f.message, f.code).not.toContain(long.slice(0, MAX_ECHO + 1));
      expect(f.message, f.code).toContain('(191 characters)');
    }
  });

  it('a long malformed lot number is cut too (DQ003)', async () => {
    const lot = 'A#'.repeat(75);
    const { deps } = capturing();
    const out = await submitDoses([modernaDose({ lot_number: lot })], caller, NOW, deps);
    if (!out.ok) throw new Error('refused');
    const dq003 = out.results[0]!.issues.find((f) => f.code === 'DQ003')!;
    expect(dq003.message).toContain('(150 characters)');
    expect(dq003.message).not.toContain(lot.slice(0, MAX_ECHO + 1));
  });

  it('VXU: a 200 KB body site (RXR-2) is left out with a warning of bounded size', async () => {
    const hl7 = buildVxu({
      messageControlId: 'M1',
      sentAt: NOW,
      ...cairFacilities(demoSite.iis_id),
      processingId: 'P',
      action: 'A',
      dose: { iis_id: demoSite.iis_id, ...modernaDose() } as unknown as Dose,
    }).replace('|LD^', `|${'Q'.repeat(200_000)}^`);
    expect(hl7.length).toBeGreaterThan(200_000);
    const { deps, stored } = capturing();
    const out = await receiveVxu(hl7, caller, NOW, deps);
    expect(out.errors.map((e) => e.rule)).toContain('DATA007');
    expect(out.ack.length).toBeLessThan(BOUND);
    expect(stored).toHaveLength(1);
    expect(bytes(stored[0])).toBeLessThan(BOUND);
  });
});
