import { describe, expect, it } from 'vitest';
import { NOT_IN_VXU, OBSERVATIONS, PLACEMENTS } from '#codecs/hl7/mapping.ts';
import { parsePath } from '#codecs/hl7/message.ts';
import { DOSE_FIELDS } from '#doses/fields.ts';

describe('CVRS → HL7 mapping table', () => {
  it('places every dose field exactly once, or says why no VXU carries it', () => {
    const placed = PLACEMENTS.map((p) => p.field);
    expect(new Set(placed).size).toBe(placed.length);
    const excluded = Object.keys(NOT_IN_VXU);
    expect([...placed, ...excluded].sort()).toEqual([...DOSE_FIELDS].sort());
  });

  it('gives every generic row a location the reader and writer understand, in a VXU segment', () => {
    for (const p of PLACEMENTS.filter((row) => row.kind !== 'custom')) {
      expect(['PID', 'ORC', 'RXA', 'RXR']).toContain(parsePath(p.at).segment);
      if (p.kind === 'coded') expect(p.coder).toBeTypeOf('function');
    }
  });

  it('has an observation for each OBX row, and no field at two places', () => {
    const obxRows = PLACEMENTS.filter((p) => p.at.startsWith('OBX')).map((p) => p.field);
    expect(OBSERVATIONS.map((o) => o.field).sort()).toEqual(obxRows.sort());
    const generic = PLACEMENTS.filter((p) => p.kind !== 'custom').map((p) => {
      const path = parsePath(p.at);
      return `${path.segment}-${path.field}.${path.component}.${path.subcomponent}`;
    });
    expect(new Set(generic).size).toBe(generic.length);
  });
});
