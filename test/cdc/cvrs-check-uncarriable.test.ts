import { describe, expect, it } from 'vitest';
import { checkCvrsRecord } from '#cdc/cvrs-check.ts';
import { cvrsRecord } from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS, type Dose } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const TODAY = '2026-11-24';

describe('CVRS record check: a value CDC cannot read is held back (DQ029)', () => {
  it.each([
    ['NUL', '\u0000'],
    ['ESC', '\u001b'],
    ['C1', '\u0092'],
    ['U+FFFF', '\uffff'],
    ['lone surrogate', '\ud800'],
  ])('%s in a stored dose from before intake refused it', (_, c) => {
    // A dose stored before e032fca: intake took the character, so it is in the stored dose as sent.
    const dose = {
      ...normalizeDose({ ...modernaDose(), ...demoSite }).dose,
      admin_name: `Clinic${c}\tA`,
    } as Dose;
    const findings = checkCvrsRecord(cvrsRecord(dose, 'secret'), TODAY);
    expect(findings.map((f) => `${f.code}:${f.field}:${f.severity}`)).toEqual(['DQ029:admin_name:error']);
    expect(findings[0]!.message).not.toContain('Clinic');
  });

  it('still passes a record of every character CDC reads', () => {
    const dose = normalizeDose({
      ...modernaDose(),
      ...demoSite,
      admin_name: 'Clínica Zoë 中村 "|^~&\\',
    }).dose;
    const values = cvrsRecord(dose, 'secret');
    expect(values[CVRS_FIELDS.indexOf('admin_name')]).toBe('Clínica Zoë 中村 "|^~&\\');
    expect(checkCvrsRecord(values, TODAY)).toEqual([]);
  });
});
