import { describe, expect, it } from 'vitest';
import { parseIncomingKey, safeName } from '#files/keys.ts';

describe('dropped keys', () => {
  it('attributes keys to sites and uploads; ignores keys outside incoming/<site>/', () => {
    expect(parseIncomingKey('incoming/SITE1/up_0123456789abcdef0123/day.csv', 'e')).toEqual({
      iis_id: 'SITE1',
      upload_id: 'up_0123456789abcdef0123',
      name: 'day.csv',
    });
    const direct = parseIncomingKey('incoming/site1/2021/03/day one.txt', 'etag1')!;
    expect(direct).toMatchObject({ iis_id: 'SITE1', name: 'day one.txt' });
    expect(direct.upload_id).toBe(parseIncomingKey('incoming/site1/2021/03/day one.txt', 'etag1')!.upload_id);
    expect(direct.upload_id).not.toBe(
      parseIncomingKey('incoming/site1/2021/03/day one.txt', 'etag2')!.upload_id,
    );
    expect(parseIncomingKey('results/SITE1/x.csv', 'e')).toBeUndefined();
    expect(parseIncomingKey('incoming/x.csv', 'e')).toBeUndefined();
    expect(safeName('../etc/passwd')).toBeUndefined();
    expect(safeName('clinic day.csv')).toBe('clinic day.csv');
  });
});
