import { describe, expect, it } from 'vitest';
import type { Finding } from '#platform/findings.ts';
import {
  parseBeyondUse,
  parseLotExpiry,
  parseReceipt,
  parseTransferOut,
  parseWastage,
  stockWarnings,
} from '#stock/input.ts';
import { REASON_CODES, WASTAGE_REASONS } from '#stock/reasons.ts';

const TODAY = '2021-03-15';
const SITE = 'CLINIC01';

const receipt = (overrides: Record<string, unknown> = {}) => ({
  record_id: 'RCV-1',
  ndc: '80777-0273-10',
  lot_number: '039K20A',
  doses: 100,
  date: '2021-03-10',
  ...overrides,
});
const loss = (overrides: Record<string, unknown> = {}) => ({
  record_id: 'WST-1',
  ndc: '80777-0273-10',
  lot_number: '039K20A',
  doses: 2,
  date: '2021-03-12',
  reason: 'broken-or-dropped',
  ...overrides,
});

const parseR = (o: Record<string, unknown> = {}) => parseReceipt(receipt(o), { today: TODAY, iis_id: SITE });
const parseW = (o: Record<string, unknown> = {}) => parseWastage(loss(o), { today: TODAY });
/** `CODE:field:severity` of each finding, to compare exactly. */
const codes = (findings: readonly Finding[]) => findings.map((f) => `${f.code}:${f.field}:${f.severity}`);

describe('parseReceipt', () => {
  it('accepts a receipt, reading a carton NDC as its unit of use and the lot upper-cased', () => {
    const { record, findings } = parseR({ ndc: ' 80777-0273-99 ', lot_number: ' 039k20a ', doses: '100' });
    expect(findings).toEqual([]);
    expect(record).toEqual({
      record_id: 'RCV-1',
      ndc: '80777-0273-10',
      lot_number: '039K20A',
      doses: 100,
      date: '2021-03-10',
    });
  });

  it('reads an 11-digit NDC without hyphens and a date in another layout', () => {
    const { record } = parseR({ ndc: '80777027310', date: '03/10/2021' });
    expect(record).toMatchObject({ ndc: '80777-0273-10', date: '2021-03-10' });
  });

  it('a transfer keeps from_iis_id upper-cased; one from the site itself is STK010', () => {
    expect(parseR({ from_iis_id: 'other02' }).record?.from_iis_id).toBe('OTHER02');
    const self = parseR({ from_iis_id: SITE.toLowerCase() });
    expect(self.record).toBeUndefined();
    expect(codes(self.findings)).toEqual(['STK010:from_iis_id:error']);
  });

  it.each(['record_id', 'ndc', 'lot_number', 'doses', 'date'])('STK013 on %s when it is missing', (field) => {
    // Blank text counts as missing (doses: a blank string is read as a count and is STK001 instead).
    for (const empty of field === 'doses' ? [undefined, null, ''] : [undefined, null, '', '   ']) {
      const { record, findings } = parseR({ [field]: empty });
      expect(record).toBeUndefined();
      expect(codes(findings)).toEqual([`STK013:${field}:error`]);
    }
  });

  it.each([
    ['record_id', 'has spaces', 'STK014'],
    ['record_id', 'x'.repeat(65), 'STK014'],
    ['record_id', { id: 1 }, 'STK014'],
    ['ndc', 'not-an-ndc', 'STK014'],
    ['ndc', '8077702731', 'STK014'],
    ['ndc', ['80777-0273-10'], 'STK014'],
    ['ndc', '12345-6789-01', 'STK008'],
    ['lot_number', 'LOT 1', 'STK014'],
    ['lot_number', 'A'.repeat(21), 'STK014'],
    ['lot_number', true, 'STK014'],
    ['date', 'last tuesday', 'STK003'],
    ['date', '2021-02-30', 'STK003'],
    ['date', '2021-13-01', 'STK003'],
  ])('%s = %j is %s on that field', (field, value, code) => {
    const { record, findings } = parseR({ [field]: value });
    expect(record).toBeUndefined();
    expect(codes(findings)).toEqual([`${code}:${field}:error`]);
  });

  it.each([0, -5, 2.5, '1.5', 'ten', 1_000_001, true])('doses = %j is STK001', (doses) => {
    const { record, findings } = parseR({ doses });
    expect(record).toBeUndefined();
    expect(codes(findings)).toEqual(['STK001:doses:error']);
  });

  it('a date after today (California) is STK002; today itself is fine', () => {
    expect(codes(parseR({ date: '2021-03-16' }).findings)).toEqual(['STK002:date:error']);
    expect(parseR({ date: TODAY }).record?.date).toBe(TODAY);
  });

  it('reports every problem of a record at once', () => {
    const { findings } = parseR({ record_id: undefined, ndc: 'x', doses: 0, date: '2099-01-01' });
    expect(codes(findings)).toEqual([
      'STK013:record_id:error',
      'STK014:ndc:error',
      'STK001:doses:error',
      'STK002:date:error',
    ]);
  });
});

describe('parseWastage', () => {
  it('accepts a report and derives the loss category from the reason', () => {
    const { record, findings } = parseW({ ndc: '80777-0273-99', reason: ' Broken-Or-Dropped ' });
    expect(findings).toEqual([]);
    expect(record).toEqual({
      record_id: 'WST-1',
      ndc: '80777-0273-10',
      lot_number: '039K20A',
      doses: 2,
      date: '2021-03-12',
      reason: 'broken-or-dropped',
      category: 'wasted',
    });
  });

  it.each([
    ['temperature-too-warm', 'expired-spoiled'],
    ['expired', 'expired-spoiled'],
    ['past-beyond-use-date', 'expired-spoiled'],
    ['recall', 'expired-spoiled'],
    ['broken-or-dropped', 'wasted'],
    ['drawn-not-administered', 'wasted'],
    ['open-vial-not-all-used', 'wasted'],
  ])('reason %s is %s', (reason, category) => {
    expect(parseW({ reason }).record?.category).toBe(category);
  });

  it('every reason code parses, with its category from the reason list', () => {
    for (const reason of REASON_CODES) {
      const { record } = parseW({ reason, reason_text: 'as described' });
      expect(record).toMatchObject({ reason, category: WASTAGE_REASONS[reason].category });
    }
  });

  it('"other" needs reason_text (STK004) and keeps it when given', () => {
    for (const text of [undefined, '', '   ']) {
      const { record, findings } = parseW({ reason: 'other', reason_text: text });
      expect(record).toBeUndefined();
      expect(codes(findings)).toEqual(['STK004:reason_text:error']);
    }
    const ok = parseW({ reason: 'other', reason_text: ' Vial cracked in the centrifuge ' });
    expect(ok.record).toMatchObject({
      reason: 'other',
      category: 'wasted',
      reason_text: 'Vial cracked in the centrifuge',
    });
  });

  it('an unknown reason is STK008; a missing one STK013; a reason_text over 200 characters STK014', () => {
    const unknown = parseW({ reason: 'melted' });
    expect(codes(unknown.findings)).toEqual(['STK008:reason:error']);
    expect(unknown.findings[0]!.message).toContain('temperature-too-warm');
    expect(codes(parseW({ reason: undefined }).findings)).toEqual(['STK013:reason:error']);
    expect(codes(parseW({ reason_text: 'x'.repeat(201) }).findings)).toEqual(['STK014:reason_text:error']);
  });

  it.each([0, -1, 0.5])('doses = %j is STK001', (doses) => {
    expect(codes(parseW({ doses }).findings)).toEqual(['STK001:doses:error']);
  });

  it('a future date is STK002; a bad one STK003 or STK003', () => {
    expect(codes(parseW({ date: '2021-04-01' }).findings)).toEqual(['STK002:date:error']);
    expect(codes(parseW({ date: 'soon' }).findings)).toEqual(['STK003:date:error']);
    expect(codes(parseW({ date: '2021-02-29' }).findings)).toEqual(['STK003:date:error']);
  });

  it('an unknown NDC is STK008 on ndc; a missing lot STK013 on lot_number', () => {
    expect(codes(parseW({ ndc: '00000-0000-00' }).findings)).toEqual(['STK008:ndc:error']);
    expect(codes(parseW({ lot_number: null }).findings)).toEqual(['STK013:lot_number:error']);
  });
});

describe('stockWarnings', () => {
  const rec = { ndc: '80777-0273-10', lot_number: '039K20A', doses: 5 };

  it('STK005 (warning, on lot_number) when the lot has no expiration on record', () => {
    expect(codes(stockWarnings(rec, {}))).toEqual(['STK005:lot_number:warning']);
    expect(stockWarnings(rec, { expiration: '2021-06-30' })).toEqual([]);
  });

  it('STK006 (warning, on doses) only when more doses than on hand', () => {
    expect(codes(stockWarnings(rec, { expiration: '2021-06-30', onHand: 4 }))).toEqual([
      'STK006:doses:warning',
    ]);
    expect(stockWarnings(rec, { expiration: '2021-06-30', onHand: 5 })).toEqual([]);
    expect(stockWarnings(rec, { expiration: '2021-06-30' })).toEqual([]);
    expect(codes(stockWarnings(rec, { onHand: 0 }))).toEqual([
      'STK005:lot_number:warning',
      'STK006:doses:warning',
    ]);
  });
});

describe('parseLotExpiry', () => {
  it('reads a date in any accepted layout as YYYY-MM-DD', () => {
    expect(parseLotExpiry({ expiration: '2021-06-30' })).toEqual({
      record: { expiration: '2021-06-30' },
      findings: [],
    });
    expect(parseLotExpiry({ expiration: '06/30/2021' }).record).toEqual({ expiration: '2021-06-30' });
    expect(parseLotExpiry({ expiration: 20210630 }).record).toEqual({ expiration: '2021-06-30' });
  });

  it.each([
    [{}, 'STK013'],
    [{ expiration: '' }, 'STK013'],
    [{ expiration: 'next summer' }, 'STK003'],
    [{ expiration: '2021-06-31' }, 'STK003'],
    [{ expiration: { date: '2021-06-30' } }, 'STK014'],
  ])('%j is %s on expiration', (input, code) => {
    const { record, findings } = parseLotExpiry(input);
    expect(record).toBeUndefined();
    expect(codes(findings)).toEqual([`${code}:expiration:error`]);
  });
});

describe('parseBeyondUse', () => {
  it('accepts a date on or before the expiration', () => {
    expect(parseBeyondUse({ beyond_use_date: '2021-06-15' }, '2021-06-30')).toEqual({
      record: { beyond_use_date: '2021-06-15' },
      findings: [],
    });
    expect(parseBeyondUse({ beyond_use_date: '2021-06-30' }, '2021-06-30').record).toBeDefined();
  });

  it('a date after the expiration is STK007 and nothing is kept', () => {
    const { record, findings } = parseBeyondUse({ beyond_use_date: '2021-07-01' }, '2021-06-30');
    expect(record).toBeUndefined();
    expect(codes(findings)).toEqual(['STK007:beyond_use_date:error']);
    expect(findings[0]!.message).toContain('2021-06-30');
  });

  it('without an expiration on record the date is kept with a STK005 warning', () => {
    const { record, findings } = parseBeyondUse({ beyond_use_date: '2021-06-15' }, undefined);
    expect(record).toEqual({ beyond_use_date: '2021-06-15' });
    expect(codes(findings)).toEqual(['STK005:lot_number:warning']);
  });

  it.each([
    [{}, 'STK013'],
    [{ beyond_use_date: 'tomorrow' }, 'STK003'],
    [{ beyond_use_date: '2021-04-31' }, 'STK003'],
    [{ beyond_use_date: ['2021-06-15'] }, 'STK014'],
  ])('%j is %s on beyond_use_date', (input, code) => {
    const { record, findings } = parseBeyondUse(input, '2021-06-30');
    expect(record).toBeUndefined();
    expect(codes(findings)).toEqual([`${code}:beyond_use_date:error`]);
  });
});

describe('parseTransferOut', () => {
  const parseT = (o: Record<string, unknown> = {}) =>
    parseTransferOut({ ...receipt(), to_iis_id: 'other01', ...o }, { today: TODAY, iis_id: SITE });

  it('takes the sending side of a transfer, the receiving site upper-cased', () => {
    expect(parseT()).toEqual({
      record: {
        record_id: 'RCV-1',
        ndc: '80777-0273-10',
        lot_number: '039K20A',
        doses: 100,
        date: '2021-03-10',
        to_iis_id: 'OTHER01',
      },
      findings: [],
    });
  });

  it('needs the receiving site, which is not this site', () => {
    expect(parseT({ to_iis_id: undefined }).findings.map((f) => `${f.code}:${f.field}`)).toEqual([
      'STK013:to_iis_id',
    ]);
    expect(parseT({ to_iis_id: SITE.toLowerCase() }).findings.map((f) => `${f.code}:${f.field}`)).toEqual([
      'STK010:to_iis_id',
    ]);
    expect(parseT({ doses: 0 }).record).toBeUndefined();
  });
});
