import { describe, expect, it } from 'vitest';
import { checkIdentifier, ID_MAX_BYTES } from '#platform/http/identifiers.ts';
import { openApiDocument } from '#platform/http/openapi.ts';

describe('identifier lengths checked at the door (issue 18, item 2)', () => {
  it('passes values up to the maximum in UTF-8 bytes, refuses longer with 400 REQ009 naming field, not value', () => {
    expect(checkIdentifier('vax_event_id', 'E'.repeat(199))).toBe('E'.repeat(199));
    expect(checkIdentifier('iis_id', undefined)).toBeUndefined();
    const long = 'E'.repeat(3000);
    expect(() => checkIdentifier('vax_event_id', long)).toThrow(
      expect.objectContaining({ statusCode: 400, code: 'REQ009', field: 'vax_event_id' }),
    );
    try {
      checkIdentifier('vax_event_id', long);
    } catch (err) {
      expect((err as Error).message).not.toContain('EEEE');
    }
    // 10 characters but 30 bytes.
    expect(() => checkIdentifier('lot_number', '€'.repeat(10))).toThrow(
      expect.objectContaining({ code: 'REQ009' }),
    );
    expect(() => checkIdentifier('iis_id', 'A'.repeat(21))).toThrow(
      expect.objectContaining({ field: 'iis_id' }),
    );
  });

  it('every maximum is under what DynamoDB takes in a key (partition 2,048 bytes, sort 1,024)', () => {
    // The longest composite key built from them: DOSE#<iis_id>#<vax_event_id>.
    expect(
      `DOSE#${'x'.repeat(ID_MAX_BYTES.iis_id)}#${'x'.repeat(ID_MAX_BYTES.vax_event_id)}`.length,
    ).toBeLessThan(1024);
  });

  it('the OpenAPI document states the maxima', () => {
    const doc = openApiDocument() as any;
    const params = (path: string, method: string) =>
      Object.fromEntries(doc.paths[path][method].parameters.map((p: any) => [p.name, p.schema.maxLength]));
    for (const method of ['get', 'put', 'delete'])
      expect(params('/v1/doses/{vax_event_id}', method)).toMatchObject({ vax_event_id: 199, iis_id: 20 });
    expect(params('/v1/sites/{iis_id}', 'get')).toMatchObject({ iis_id: 20 });
    expect(params('/v1/lots/{ndc}/{lot_number}', 'get')).toMatchObject({ ndc: 50, lot_number: 20 });
    expect(doc.info.description).toContain('1000000 bytes');
  });
});
