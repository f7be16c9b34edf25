import { describe, expect, it } from 'vitest';
import { demographicsOf, demographicsOfQuery } from '#persons/match/demographics.ts';

describe('demographicsOf', () => {
  it('normalizes case, accents, punctuation, suffixes, ZIP+4, sex and street words', () => {
    const d = demographicsOf({
      iis_id: 'org123',
      recip_id: ' 00042 ',
      recip_first_name: ' José ',
      recip_middle_name: 'ma.',
      recip_last_name: "O'Brien-García  Jr.",
      recip_dob: '1980-03-12',
      recip_sex: 'U',
      recip_address_street: '12 North Main Street',
      recip_address_street_2: 'Apartment 4',
      recip_address_city: 'San José',
      recip_address_state: 'ca',
      recip_address_zip: '95112-1234',
    });
    expect(d).toEqual({
      first: 'JOSE',
      middle: 'MA',
      last: 'OBRIEN GARCIA',
      dob: '1980-03-12',
      street: '12 N MAIN ST APT 4',
      city: 'SAN JOSE',
      state: 'CA',
      zip: '95112',
      site_patient: { iis_id: 'ORG123', recip_id: '00042' },
    });
  });

  it('is undefined without a first name, a last name or a readable DOB', () => {
    const base = { recip_first_name: 'A', recip_last_name: 'B', recip_dob: '2000-01-02' };
    expect(demographicsOf(base)).toBeDefined();
    expect(demographicsOf({ ...base, recip_first_name: ' ' })).toBeUndefined();
    expect(demographicsOf({ ...base, recip_last_name: undefined })).toBeUndefined();
    expect(demographicsOf({ ...base, recip_dob: '2000-13-02' })).toBeUndefined();
  });

  it('keeps a one-word name that looks like a suffix, and drops short ZIPs', () => {
    const d = demographicsOf({
      recip_first_name: 'V',
      recip_last_name: 'Lee',
      recip_dob: '2000-01-02',
      recip_address_zip: '951',
    });
    expect(d?.first).toBe('V');
    expect(d?.zip).toBeUndefined();
  });

  it('reads a query the same way', () => {
    const d = demographicsOfQuery({
      first: 'Bill',
      last: 'Smith III',
      dob: '1970-05-06',
      sex: 'male',
      zip: '900011234',
    });
    expect(d).toEqual({ first: 'BILL', last: 'SMITH', dob: '1970-05-06', sex: 'M', zip: '90001' });
  });
});
