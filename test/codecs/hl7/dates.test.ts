import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHl7Date, fromHl7Timestamp, toHl7Date, toHl7Timestamp } from '#codecs/hl7/dates.ts';

const isoDay = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('HL7 dates', () => {
  it('round-trips every ISO calendar date through YYYYMMDD', () => {
    fc.assert(
      fc.property(isoDay, (iso) => {
        expect(toHl7Date(iso)).toMatch(/^\d{8}$/);
        expect(fromHl7Date(toHl7Date(iso))).toBe(iso);
      }),
    );
  });

  it('round-trips a month-only expiration only when asked to', () => {
    expect(toHl7Date('2021-06')).toBe('202106');
    expect(fromHl7Date('202106', { allowMonth: true })).toBe('2021-06');
    expect(fromHl7Date('202106')).toBeUndefined();
    expect(fromHl7Date('202113', { allowMonth: true })).toBeUndefined();
  });

  it('keeps the written calendar date of a date-time, whatever its zone', () => {
    expect(fromHl7Date('20210310233000-0800')).toBe('2021-03-10');
    expect(fromHl7Date('20210310233000.1234+1400')).toBe('2021-03-10');
    expect(fromHl7Date('202103102330')).toBe('2021-03-10');
  });

  it.each(['2021', '20210230', '2021-03-10', '2021031', 'abcdefgh', ''])('refuses "%s" as a date', (raw) => {
    expect(fromHl7Date(raw)).toBeUndefined();
  });

  it('refuses to write a date that is not ISO, rather than send a wrong one', () => {
    expect(() => toHl7Date('03/10/2021')).toThrow(RangeError);
  });

  it('writes timestamps in California time with the offset, summer and winter', () => {
    expect(toHl7Timestamp(new Date('2021-03-10T20:05:09Z'))).toBe('20210310120509-0800');
    expect(toHl7Timestamp(new Date('2021-07-04T07:00:00Z'))).toBe('20210704000000-0700');
    expect(toHl7Timestamp(new Date('2021-07-04T07:00:00Z'), 'UTC')).toBe('20210704070000+0000');
  });

  it('reads back the instant of any timestamp it writes', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2099-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('America/Los_Angeles', 'UTC', 'Asia/Kolkata', 'Pacific/Chatham'),
        (d, zone) => {
          const seconds = new Date(Math.floor(d.getTime() / 1000) * 1000);
          expect(fromHl7Timestamp(toHl7Timestamp(seconds, zone))?.toISOString()).toBe(seconds.toISOString());
        },
      ),
    );
  });

  it('reads timestamps of any precision; without an offset as UTC', () => {
    expect(fromHl7Timestamp('20210310')?.toISOString()).toBe('2021-03-10T00:00:00.000Z');
    expect(fromHl7Timestamp('20210310093015.5-0800')?.toISOString()).toBe('2021-03-10T17:30:15.500Z');
    expect(fromHl7Timestamp('20210310250000')).toBeUndefined();
    expect(fromHl7Timestamp('not a date')).toBeUndefined();
  });
});
