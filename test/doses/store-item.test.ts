import { describe, expect, it } from 'vitest';
import type { Dose } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { type DoseVersion, fromItem, packJson, toItem } from '#doses/store.ts';
import { itemSize } from '../../local/metering/dynamodb-units.ts';
import { modernaDose } from '../fixtures/doses.ts';

const version = (over: Partial<DoseVersion> = {}): DoseVersion => ({
  iis_id: 'CAIRDEMO01',
  vax_event_id: 'EVT-0001',
  version: 1,
  action: 'A',
  content_hash: 'f'.repeat(64),
  dose: normalizeDose(modernaDose({ iis_id: 'CAIRDEMO01' })).dose as Dose,
  findings: [],
  stored_at: '2026-12-05T17:00:00.000Z',
  submitted_by: 'CAIRDEMO01',
  registry: 'CAIR2',
  source: 'upload:up_03671c9cc2ecb358e875:123456',
  ...over,
});

describe('a dose version as a DynamoDB item', () => {
  it('reads back what it stored, the dose compressed', () => {
    const v = version();
    const item = toItem(v);
    expect(item.dose!.B).toBeInstanceOf(Uint8Array);
    // As JSON keeps it: a field the dose left out (undefined) is not stored.
    expect(fromItem(item)).toMatchObject(JSON.parse(JSON.stringify(v)));
  });

  it('still reads a version stored with its dose as JSON text', () => {
    const v = version();
    const item = { ...toItem(v), dose: { S: JSON.stringify(v.dose) } };
    expect(fromItem(item).dose).toEqual(JSON.parse(JSON.stringify(v.dose)));
  });

  it("reads the registry's answer stored compressed, and as JSON text before", () => {
    const outcome = {
      registry: 'CAIR2',
      status: 'accepted',
      sentAs: 'A',
      ack: 'MSH|^~\\&|…',
      findings: [],
      at: '2026-12-05T17:00:01.000Z',
    };
    const item = toItem(version());
    expect(fromItem({ ...item, registry_outcome: packJson(outcome) }).registry_outcome).toEqual(outcome);
    expect(fromItem({ ...item, registry_outcome: { S: JSON.stringify(outcome) } }).registry_outcome).toEqual(
      outcome,
    );
  });

  it('stays under 1 KB for a full demo dose from a file, so it costs one write unit', () => {
    expect(itemSize(toItem(version()))).toBeLessThan(1024);
  });

  it("holds the interval rule's attributes for the by-recipient index", () => {
    const item = toItem(version({ dose: { ...version().dose, vax_refusal: 'YES' } }));
    expect(item).toMatchObject({
      cvx: { S: '207' },
      mvx: { S: 'MOD' },
      refused: { BOOL: true },
      recip_key: { S: 'CAIRDEMO01#PAT-1001' },
    });
  });
});
