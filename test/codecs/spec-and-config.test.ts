import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import spec from '#codecs/cvrs/cvrs-spec.json' with { type: 'json' };
import { CVRS_FIELDS, REFUSAL_EMPTY_FIELDS } from '#doses/fields.ts';
import { EMPTY_FOR_REFUSAL } from '#doses/requirements.ts';
import { registryFor } from '#registry/routing.ts';
import { bearerToken, hashSecret, issueKey, parseKey, sameSecret } from '#sites/keys.ts';
import { buildSpec } from '../../scripts/generate-cvrs-spec.ts';

const reference = new URL(
  '../../../shared/reference/cvrs/CVRS_spec_v2_with_HL7_mapping.csv',
  import.meta.url,
);

describe('CVRS specification data', () => {
  it('lists the 45 CVRS variables in the order the dose model uses', () => {
    expect(spec.map((f) => f.name)).toEqual([...CVRS_FIELDS]);
  });

  it('the refusal fields the dose model empties are exactly those the spec says not to populate for refusals', () => {
    expect([...REFUSAL_EMPTY_FIELDS].sort()).toEqual([...EMPTY_FOR_REFUSAL].sort());
  });

  it.runIf(existsSync(reference))('is what the generator makes from the reference today', () => {
    expect(buildSpec(readFileSync(reference, 'utf8'))).toEqual(spec);
  });
});

describe('registry routing', () => {
  it('routes by county and date: San Diego to SDIR until April 2022, then CAIR2; San Joaquin to RIDE', () => {
    expect(registryFor('06073', '2021-06-01')).toBe('SDIR');
    expect(registryFor('06073', '2022-04-01')).toBe('CAIR2');
    expect(registryFor('06077', '2026-11-25')).toBe('RIDE');
    expect(registryFor('06001', '2021-06-01')).toBe('CAIR2');
    expect(registryFor(undefined, '2021-06-01')).toBe('CAIR2');
  });

  it('takes a deployment table from configuration', () => {
    const table = { default: 'X', routes: [{ county: '06001', registry: 'Y', until: '2020-01-01' }] };
    expect(registryFor('06001', '2019-12-31', table)).toBe('Y');
    expect(registryFor('06001', '2020-01-01', table)).toBe('X');
  });
});

describe('site keys', () => {
  it('issues keys that parse back to their id and verify against the stored hash only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), () => {
        const k = issueKey();
        const parsed = parseKey(k.apiKey)!;
        expect(parsed.keyId).toBe(k.keyId);
        expect(sameSecret(hashSecret(parsed.secret), k.hash)).toBe(true);
        expect(k.hash).not.toContain(parsed.secret);
      }),
      { numRuns: 20 },
    );
    expect(parseKey('cak_nothex.abc')).toBeUndefined();
    expect(bearerToken('Bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
  });
});
