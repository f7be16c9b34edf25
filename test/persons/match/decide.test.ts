import { describe, expect, it } from 'vitest';
import { decide, LINK, REVIEW, searchDecision } from '#persons/match/decide.ts';
import type { Demographics, PersonCandidate } from '#persons/types.ts';

const maria: Demographics = {
  first: 'MARIA',
  last: 'HERNANDEZ',
  dob: '1975-04-09',
  sex: 'F',
  zip: '90001',
  street: '12 MAIN ST',
  site_patient: { iis_id: 'ORG1', recip_id: '77' },
};
const person = (id: string, ...variants: Demographics[]): PersonCandidate => ({ person_id: id, variants });

describe('decide', () => {
  it('links on the same site patient ID with the same DOB, whatever the names', () => {
    const d = { ...maria, first: 'MARY', last: 'SMITH', zip: '94110' };
    expect(decide(d, [person('p1', maria)])).toMatchObject({
      kind: 'link',
      person_id: 'p1',
      rule: 'site-patient-id',
    });
  });

  it('links on exact first, last, DOB, sex and ZIP', () => {
    const d = { ...maria, site_patient: { iis_id: 'ORG2', recip_id: '5' } };
    expect(decide(d, [person('p1', maria)])).toMatchObject({ kind: 'link', person_id: 'p1', rule: 'exact' });
  });

  it('links by score through a nickname and a move', () => {
    const d: Demographics = { first: 'MARY', last: 'HERNANDEZ', dob: '1975-04-09', sex: 'F', zip: '95112' };
    const out = decide(d, [person('p1', maria)]);
    expect(out).toMatchObject({ kind: 'link', person_id: 'p1', rule: 'score' });
  });

  it('sends two equally likely persons to review, and strangers to new', () => {
    const d: Demographics = { first: 'MARIA', last: 'HERNANDEZ', dob: '1975-04-09' };
    const other = {
      ...maria,
      zip: '93000',
      street: '9 OAK AVE',
      site_patient: { iis_id: 'ORG3', recip_id: '1' },
    };
    const out = decide(d, [person('p1', maria), person('p2', other)]);
    expect(out.kind).toBe('review');
    expect(decide({ first: 'JOHN', last: 'SMITH', dob: '1950-01-01' }, [person('p1', maria)])).toEqual({
      kind: 'new',
    });
  });

  it('does not link twins', () => {
    const twin = { ...maria, first: 'SOFIA', site_patient: { iis_id: 'ORG9', recip_id: '3' } };
    const out = decide(twin, [person('p1', maria)]);
    expect(out.kind).not.toBe('link');
  });

  it('has REVIEW below LINK', () => expect(REVIEW).toBeLessThan(LINK));
});

describe('searchDecision', () => {
  const twin = {
    ...maria,
    zip: '93000',
    street: '9 OAK AVE',
    site_patient: { iis_id: 'ORG3', recip_id: '1' },
  };
  const q = { first: 'Maria', last: 'Hernandez', dob: '1975-04-09', sex: 'F' };

  it('two people with the same name and DOB and nothing else: several, never one', () => {
    expect(searchDecision(q, [person('p1', maria), person('p2', twin)])).toEqual({
      kind: 'several',
      count: 2,
    });
  });

  it('a distinguishing ZIP or site patient ID gives one', () => {
    expect(searchDecision({ ...q, zip: '90001' }, [person('p1', maria), person('p2', twin)])).toMatchObject({
      kind: 'one',
      person_id: 'p1',
    });
    expect(
      searchDecision({ ...q, site_patient: { iis_id: 'ORG3', recip_id: '1' } }, [
        person('p1', maria),
        person('p2', twin),
      ]),
    ).toMatchObject({ kind: 'one', person_id: 'p2' });
  });

  it('one person who matches: one; nobody close: none; no DOB: none', () => {
    expect(searchDecision(q, [person('p1', maria)])).toMatchObject({ kind: 'one', person_id: 'p1' });
    expect(searchDecision({ ...q, first: 'John', last: 'Smith' }, [person('p1', maria)])).toEqual({
      kind: 'none',
    });
    expect(searchDecision({ ...q, dob: '' }, [person('p1', maria)])).toEqual({ kind: 'none' });
  });
});
