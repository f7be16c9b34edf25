import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uptakeDay } from '#analytics/nightly/uptake-day.ts';
import type { DoseVersion } from '#doses/store.ts';
import { mergePersons, personDoseOf } from '#persons/link.ts';
import { createPerson, putLink } from '#persons/store.ts';
import { topology } from '../../infra/topology.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { type Runtime, startWithout } from '../integration/harness.ts';

/**
 * Issue 15: a night's uptake on the real stores (dynalite): where each dose is counted as the consolidated
 * record changes between nights — a late link, a merge, a delete — and that a re-run of a night changes nothing.
 * Cell of every dose below: Alameda · 50-64 · WHITE · HISPANIC · F (the demo dose's recipient).
 */

let rt: Runtime;
beforeAll(async () => {
  rt = await startWithout(Object.keys(topology.functions) as (keyof typeof topology.functions)[]);
});
afterAll(async () => rt?.stop());

const CELL = '06001|50-64|WHITE|HISPANIC|F';
let seq = 0;
const version = (
  iis: string,
  event: string,
  adminDate: string,
  storedDay: string,
  {
    dose,
    ...over
  }: { version?: number; action?: DoseVersion['action']; dose?: Record<string, unknown> } = {},
): DoseVersion => ({
  iis_id: iis,
  vax_event_id: event,
  version: 1,
  action: 'A',
  content_hash: `h${seq++}`,
  findings: [],
  stored_at: `${storedDay}T18:00:00.000Z`,
  submitted_by: iis,
  ...over,
  dose: modernaDose({
    vax_event_id: event,
    recip_id: `R-${event}`,
    admin_date: adminDate,
    ...dose,
  }) as never,
});
const link = (person: string, v: DoseVersion) =>
  putLink({
    person_id: person,
    demo: { first: 'Maria', last: 'Gonzalez', dob: '1958-07-22' },
    dose: personDoseOf(v),
    dose_version: v.version,
    rule: 'test',
    linked_at: v.stored_at,
  });
const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

describe('a night of uptake on the stores', () => {
  it('a dose linked late moves from the site record into the person: counted once, completed', async () => {
    const v1 = version('S1', 'L1', '2021-03-01', '2021-03-01');
    const first = await uptakeDay('2021-03-01', [v1]);
    expect(sorted(first.deltas)).toEqual({
      [`doses|${CELL}|2021-03-01`]: 1,
      [`first|${CELL}|2021-03-01`]: 1,
      'site|S1|2021-03-01': 1,
    });
    // By the next night the matcher linked her dose 1 and her dose 2 from another site to one person.
    const v2 = version('S2', 'L2', '2021-03-29', '2021-03-29', {
      dose: { recip_id: 'OTHER', dose_num: '2' },
    });
    await createPerson('PL', v1.stored_at);
    await link('PL', v1);
    await link('PL', v2);
    const second = await uptakeDay('2021-03-29', [v2]);
    expect(sorted(second.deltas)).toEqual({
      [`complete|${CELL}|2021-03-29`]: 1,
      [`doses|${CELL}|2021-03-29`]: 1,
      'site|S2|2021-03-29': 1,
    });
    expect(second.moved).toBe(1);
    // The same night again: the same change (it reads the state before the night, not its own).
    expect(sorted((await uptakeDay('2021-03-29', [v2])).deltas)).toEqual(sorted(second.deltas));
  });

  it('a merge takes the other person out, even when only the survivor changed that night', async () => {
    const a = version('S3', 'M1', '2021-04-01', '2021-04-01');
    const b = version('S4', 'M2', '2021-04-01', '2021-04-01', { dose: { lot_number: '039K20A' } });
    await createPerson('PA', a.stored_at);
    await createPerson('PB', b.stored_at);
    await link('PA', a);
    await link('PB', b);
    const night = await uptakeDay('2021-04-01', [a, b]);
    expect(night.deltas.get(`first|${CELL}|2021-04-01`)).toBe(2);
    // An administrator merges PB into PA; a correction of PA's dose comes in the next night.
    await mergePersons('PA', 'PB', { at: '2021-04-02T10:00:00.000Z', by: 'admin', kind: 'merge' });
    const fixed = version('S3', 'M1', '2021-04-01', '2021-04-02', { version: 2, action: 'U' });
    await link('PA', fixed);
    const next = await uptakeDay('2021-04-02', [fixed]);
    // One person fewer; the same dose from two systems (same day, same lot) is one dose given, credited to the
    // report stored first (consolidate.ts): S4's now, as S3's was stored again when corrected.
    expect(sorted(next.deltas)).toEqual({
      [`doses|${CELL}|2021-04-01`]: -1,
      [`first|${CELL}|2021-04-01`]: -1,
      'site|S3|2021-04-01': -1,
    });
  });

  it('a deleted dose and a refusal count nowhere', async () => {
    const given = version('S5', 'D1', '2021-05-01', '2021-05-01');
    const refused = version('S5', 'D2', '2021-05-01', '2021-05-01', { dose: { vax_refusal: 'YES' } });
    expect((await uptakeDay('2021-05-01', [given, refused])).deltas.get(`first|${CELL}|2021-05-01`)).toBe(1);
    const gone = version('S5', 'D1', '2021-05-01', '2021-05-02', { version: 2, action: 'D' });
    expect(sorted((await uptakeDay('2021-05-02', [gone])).deltas)).toEqual({
      [`doses|${CELL}|2021-05-01`]: -1,
      [`first|${CELL}|2021-05-01`]: -1,
      'site|S5|2021-05-01': -1,
    });
  });
});
