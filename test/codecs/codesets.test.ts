import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  adminType,
  bodySite,
  county,
  cvx,
  cvxLabel,
  doseNumber,
  ethnicity,
  isKnownNonCovidCvx,
  isPlaceholder,
  mvx,
  ndc,
  placeholderLabel,
  productWindow,
  race,
  route,
  sex,
  state,
  yesNo,
  yesNoUnk,
  zipInState,
} from '#codecs/codesets/index.ts';
import { normalizeNdc } from '#codecs/codesets/ndc.ts';
import { CODESET_FILES } from '#codecs/codesets/types.ts';
import { generate, readValueSet, zipPrefixes } from '../../scripts/generate-codesets.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const refDir = join(root, '..', 'shared', 'reference');
const dataDir = join(root, 'shared', 'codecs', 'codesets', 'data');
const committed = Object.assign(
  {},
  ...Object.keys(CODESET_FILES).map((f) => JSON.parse(readFileSync(join(dataDir, `${f}.json`), 'utf8'))),
);

describe('CVX', () => {
  it('knows CVX 207 as a COVID-19 vaccine by Moderna, usable from 2020-11-02', () => {
    // Act
    const entry = cvx('207');

    // Assess
    expect(entry).toMatchObject({ code: '207', status: 'Valid', notBefore: '2020-11-02' });
    expect(entry?.mvx).toEqual(['MOD']);
    expect(productWindow(entry!, '2020-11-01')).toBe('before');
    expect(productWindow(entry!, '2020-11-02')).toBe('in');
    expect(productWindow(entry!, entry!.notAfter!)).toBe('in');
    expect(productWindow(entry!, '2099-01-01')).toBe('after');
  });

  it('knows CVX 03 as a real vaccine that is not COVID-19', () => {
    // Act / Assess
    expect(cvx('03')).toBeUndefined();
    expect(isKnownNonCovidCvx('03')).toBe(true);
    expect(cvxLabel('03')).toBe('MMR');
    expect(isKnownNonCovidCvx('207')).toBe(false);
    expect(isKnownNonCovidCvx('9999')).toBe(false);
  });

  it('returns the same frozen entry on every lookup, and tolerates untrimmed lower-case input', () => {
    // Act
    const a = cvx('208');
    const b = cvx(' 208 ');

    // Assess
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(mvx('mod')?.code).toBe('MOD');
  });

  it('keeps bivalent and 2023+ codes out of their earlier seasons', () => {
    // Act / Assess
    expect(productWindow(cvx('300')!, '2022-01-15')).toBe('before');
    expect(productWindow(cvx('300')!, '2022-09-15')).toBe('in');
    for (const code of ['308', '309', '310', '311', '312', '313']) {
      expect(productWindow(cvx(code)!, '2023-06-01')).toBe('before');
      expect(productWindow(cvx(code)!, '2024-01-15')).toBe('in');
    }
  });
});

describe('NDC', () => {
  it('finds the Moderna vial from either layout as unit of use for CVX 207 by MOD', () => {
    // Prepare
    const short = normalizeNdc('80777-273-10');
    const long = normalizeNdc('80777-0273-10');

    // Act
    const entry = ndc(long!);

    // Assess
    expect(short).toBe('80777-0273-10');
    expect(long).toBe('80777-0273-10');
    expect(entry).toMatchObject({
      code: '80777-0273-10',
      kind: 'use',
      cvx: '207',
      mvx: 'MOD',
      status: 'Valid',
    });
    expect(ndc('80777-273-10')).toBe(entry);
  });

  it('links the Moderna carton to its vial and flags use past the expected window', () => {
    // Act
    const carton = ndc('80777-0273-99');

    // Assess
    expect(carton).toMatchObject({ kind: 'sale', cvx: '207', mvx: 'MOD', unitsOfUse: ['80777-0273-10'] });
    expect(productWindow(carton!, '2023-05-01')).toBe('not-expected');
  });

  it('keeps every NDC consistent with its CVX: same vaccine, manufacturer listed, vials of the same CVX', () => {
    // Act / Assess
    for (const code of Object.keys(committed.ndc)) {
      const entry = ndc(code)!;
      expect(code).toMatch(/^\d{5}-\d{4}-\d{2}$/);
      expect(cvx(entry.cvx)?.mvx).toContain(entry.mvx);
      expect(mvx(entry.mvx)).toBeDefined();
      for (const use of entry.unitsOfUse) expect(ndc(use)).toMatchObject({ kind: 'use', cvx: entry.cvx });
    }
  });
});

describe('placeholders', () => {
  const cases = [
    ['cvx', ['900', '901', '902']],
    ['mvx', ['AAA', 'BBB']],
    ['ndc', ['80777-9999-00', '99999-9999-01']],
  ] as const;

  for (const [kind, codes] of cases) {
    it(`marks ${kind.toUpperCase()} ${codes.join(', ')} as CDC test placeholders, never as products`, () => {
      const lookup = { cvx, mvx, ndc }[kind];
      for (const code of codes) {
        // Act / Assess
        expect(isPlaceholder(kind, code)).toBe(true);
        expect(placeholderLabel(kind, code)).toBeTruthy();
        expect(lookup(code)).toBeUndefined();
      }
    });
  }

  it('does not call real products placeholders', () => {
    // Act / Assess
    expect(isPlaceholder('cvx', '207')).toBe(false);
    expect(isPlaceholder('mvx', 'MOD')).toBe(false);
    expect(isPlaceholder('ndc', '80777-0273-10')).toBe(false);
    expect(isKnownNonCovidCvx('900')).toBe(false);
  });
});

describe('geography', () => {
  it('maps California county FIPS codes to names and state', () => {
    // Act / Assess
    expect(county('06073')).toEqual({ fips: '06073', name: 'San Diego', state: 'CA' });
    expect(county('06077')).toEqual({ fips: '06077', name: 'San Joaquin', state: 'CA' });
    expect(county('06999')).toBeUndefined();
  });

  it('places ZIP 92101 in California and not in New York', () => {
    // Act / Assess
    expect(zipInState('92101', 'CA')).toBe(true);
    expect(zipInState('92101-4321', 'CA')).toBe(true);
    expect(zipInState('92101', 'NY')).toBe(false);
    expect(zipInState('10001', 'NY')).toBe(true);
    expect(zipInState('9210', 'CA')).toBe(false);
    expect(zipInState('ABCDE', 'CA')).toBe(false);
    expect(zipInState('92101', 'ZZ')).toBe(false);
  });

  it('honours 5-digit ZIP entries (American Samoa 96799)', () => {
    // Act / Assess
    expect(zipInState('96799', 'AS')).toBe(true);
    expect(zipInState('96798', 'AS')).toBe(false);
  });

  it('gives each state its FIPS code, and each county the FIPS prefix of its state', () => {
    // Act / Assess
    expect(state('CA')).toMatchObject({
      abbr: 'CA',
      name: 'California',
      fips: '06',
      zipPrefixes: ['900-961'],
    });
    for (const [abbr, group] of Object.entries(committed.county) as [string, { fips: string }][]) {
      const s = state(abbr);
      if (s) expect(group.fips).toBe(s.fips);
    }
  });
});

describe('administration and demographics', () => {
  it('accepts route C28161 (NCIt) and IM (HL7 0162) as the same route', () => {
    // Act / Assess
    expect(route('C28161')).toMatchObject({ system: 'NCIT', equivalent: 'IM', cvrs: true, status: 'Valid' });
    expect(route('IM')).toMatchObject({ system: 'HL7-0162', equivalent: 'C28161', status: 'Valid' });
    expect(route('XX')).toBeUndefined();
  });

  it('accepts admin_type 1 to 28 and refuses 29', () => {
    // Act / Assess
    expect(adminType('1')).toBeDefined();
    expect(adminType('28')).toBe('Other');
    expect(adminType('29')).toBeUndefined();
  });

  it('separates what CVRS accepts from what HL7 accepts', () => {
    // Act / Assess
    for (const code of ['M', 'F', 'U']) expect(sex(code)?.cvrs).toBe(true);
    expect(sex('O')).toMatchObject({ cvrs: false, status: 'Valid' });
    expect(race('2106-3')).toMatchObject({ cvrs: true, status: 'Valid' });
    expect(race('POL')?.cvrs).toBe(true);
    expect(race('W')).toMatchObject({ cvrs: false, status: 'Deprecated' });
    expect(ethnicity('2135-2')?.cvrs).toBe(true);
    expect(bodySite('LD')).toMatchObject({ cvrs: true, label: 'Left Deltoid' });
  });

  it('knows dose numbers and the yes/no sets', () => {
    // Act / Assess
    expect(doseNumber('1')).toBe('Valid first dose');
    expect(doseNumber('INV')).toBeDefined();
    expect(doseNumber('7')).toBeUndefined();
    expect(yesNo('YES')).toBe(true);
    expect(yesNo('UNK')).toBe(false);
    expect(yesNoUnk('UNK')).toBe(true);
  });
});

describe('generator', () => {
  it('reads CDC value-set lines in their several layouts', () => {
    // Prepare
    const text =
      '\uFEFF900 (COVID-19 Vaccine A)\r\nMOD Moderna US, Inc.\r\n### section\r\n03\tMMR\r\nLT (Left thigh) \r\n';

    // Act
    const set = readValueSet(text);

    // Assess
    expect([...set]).toEqual([
      ['900', 'COVID-19 Vaccine A'],
      ['MOD', 'Moderna US, Inc.'],
      ['03', 'MMR'],
      ['LT', 'Left thigh'],
    ]);
  });

  it('widens 2-digit ZIP prefixes to 3-digit ranges and keeps 5-digit ZIP codes', () => {
    // Act / Assess
    expect(zipPrefixes('35-36', 'AL')).toEqual(['350-369']);
    expect(zipPrefixes('10-14,05,063', 'NY')).toEqual(['100-149', '050-059', '063']);
    expect(zipPrefixes('96950,96951', 'MP')).toEqual(['96950', '96951']);
    expect(zipPrefixes('', 'FM')).toEqual([]);
    expect(() => zipPrefixes('9-123', 'XX')).toThrow();
  });

  it.runIf(existsSync(refDir))(
    'reproduces the committed code set files and SOURCES.md (skipped when ../shared/reference is absent)',
    () => {
      // Act
      const fresh = generate(refDir);

      // Assess
      expect(Object.keys(fresh.files).sort()).toEqual(
        Object.keys(CODESET_FILES)
          .map((f) => `${f}.json`)
          .sort(),
      );
      for (const [name, json] of Object.entries(fresh.files))
        expect(json).toBe(readFileSync(join(dataDir, name), 'utf8'));
      expect(fresh.sources).toBe(readFileSync(join(dataDir, 'SOURCES.md'), 'utf8'));
    },
  );
});
