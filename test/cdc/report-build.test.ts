import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCvrsRecord } from '#cdc/cvrs-check.ts';
import { addDays, isDay, reportDay } from '#cdc/day.ts';
import { buildDay, type NetRecord, netChange, type StagedChange } from '#cdc/report-build.ts';
import { cvrsLine, cvrsRecord } from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import type { Action } from '#doses/store.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const SECRET = 'test-secret';
const DAY = '2026-11-24';
const line = (id: string, overrides: Record<string, unknown> = {}) =>
  cvrsLine(
    cvrsRecord(
      {
        ...normalizeDose({ ...modernaDose({ vax_event_id: id, ...overrides }), ...demoSite }).dose,
        iis_id: 'SITE1',
      },
      SECRET,
    ),
  );
const change = (version: number, action: Action, day: string, l = `line-v${version}`): StagedChange => ({
  iis_id: 'SITE1',
  vax_event_id: 'EV1',
  version,
  action,
  day,
  line: l,
});

describe('report days', () => {
  it('are California calendar days, DST included', () => {
    expect(reportDay(new Date('2026-03-08T07:59:59Z'))).toBe('2026-03-07'); // 23:59:59 PST
    expect(reportDay(new Date('2026-03-08T08:00:00Z'))).toBe('2026-03-08'); // 00:00 PST
    expect(reportDay(new Date('2026-03-09T06:59:59Z'))).toBe('2026-03-08'); // 23:59:59 PDT (23-hour day)
    expect(reportDay(new Date('2026-11-01T06:59:59Z'))).toBe('2026-10-31'); // 23:59:59 PDT
    expect(reportDay(new Date('2026-11-02T07:59:59Z'))).toBe('2026-11-01'); // 23:59:59 PST (25-hour day)
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-11-24')).toBe(true);
  });
});

describe('one record per dose and day', () => {
  it('an add not reported before is "new", with the newest state of the day', () => {
    expect(netChange([change(1, 'A', DAY), change(2, 'U', DAY)], [])).toMatchObject({
      type: 'new',
      version: 2,
      line: 'line-v2',
    });
  });

  it('a change of a dose CDC holds is "changed"; its delete is "deleted"', () => {
    expect(netChange([change(2, 'U', DAY)], [change(1, 'A', '2026-11-23')])).toMatchObject({
      type: 'changed',
      version: 2,
    });
    expect(
      netChange([change(3, 'D', DAY)], [change(1, 'A', '2026-11-22'), change(2, 'U', '2026-11-23')]),
    ).toMatchObject({ type: 'deleted', version: 3 });
  });

  it('a dose added and deleted the same day, or deleted before CDC had it, sends nothing', () => {
    expect(netChange([change(1, 'A', DAY), change(2, 'D', DAY)], [])).toBeUndefined();
    expect(netChange([change(3, 'U', DAY)], [change(2, 'D', '2026-11-23')])).toMatchObject({ type: 'new' });
  });

  it('a change that arrives after a newer one was reported sends nothing (CDC has newer)', () => {
    expect(netChange([change(1, 'A', DAY)], [change(2, 'U', '2026-11-23')])).toBeUndefined();
  });

  it('over any history, CDC ends up holding exactly the doses whose last change is not a delete (property)', () => {
    const actions = fc.array(fc.constantFrom<Action>('U', 'D'), { maxLength: 8 });
    fc.assert(
      fc.property(
        actions,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 9, maxLength: 9 }),
        (rest, gaps) => {
          // Version 1 is the add; later versions alternate as drawn; each lands on a day ≥ the previous one.
          const history: StagedChange[] = [];
          let day = DAY;
          ['A' as Action, ...rest].forEach((action, i) => {
            day = addDays(day, gaps[i]!);
            history.push(change(i + 1, action, day));
          });
          let held = false;
          for (const d of [...new Set(history.map((c) => c.day))]) {
            const net = netChange(
              history.filter((c) => c.day === d),
              history.filter((c) => c.day < d),
            );
            if (net?.type === 'new') expect(held).toBe(false);
            if (net?.type === 'changed' || net?.type === 'deleted') expect(held).toBe(true);
            if (net) held = net.type !== 'deleted';
          }
          expect(held).toBe(history.at(-1)!.action !== 'D' && history.some((c) => c.action !== 'D'));
        },
      ),
    );
  });
});

describe('a day’s files', () => {
  const net = (id: string, type: NetRecord['type'], l = line(id)): NetRecord => ({
    iis_id: 'SITE1',
    vax_event_id: id,
    version: 1,
    type,
    line: l,
  });

  it('are new, changed, deleted in that order, sorted, numbered, with a header; failing records are held back', () => {
    const broken = line('EV-BAD').replace('\tRedacted\t', '\tAlice\t');
    const built = buildDay(
      DAY,
      [
        net('EV-3', 'deleted'),
        net('EV-2', 'new'),
        net('EV-BAD', 'new', broken),
        net('EV-1', 'new'),
        net('EV-4', 'changed'),
      ],
      { submitter: 'CAA', check: checkCvrsRecord },
    );
    expect(built.files.map((f) => [f.name, f.type, f.records])).toEqual([
      ['20261124_01_CAA.txt', 'new', 2],
      ['20261124_02_CAA.txt', 'changed', 1],
      ['20261124_03_CAA.txt', 'deleted', 1],
    ]);
    const lines = built.files[0]!.text.split('\n');
    expect(lines[0]).toBe(CVRS_FIELDS.join('\t'));
    expect(lines.slice(1, 3)).toEqual([line('EV-1'), line('EV-2')]);
    expect(built.heldBack).toEqual([
      expect.objectContaining({
        vax_event_id: 'EV-BAD',
        findings: [expect.objectContaining({ code: 'DATA006' })],
      }),
    ]);
  });

  it('are byte-identical however the staged changes were read', () => {
    const records = Array.from({ length: 50 }, (_, i) => net(`EV-${i}`, i % 3 === 0 ? 'changed' : 'new'));
    const a = buildDay(DAY, records, { submitter: 'CAA', check: checkCvrsRecord, maxPerFile: 7 });
    const b = buildDay(DAY, [...records].reverse(), {
      submitter: 'CAA',
      check: checkCvrsRecord,
      maxPerFile: 7,
    });
    expect(b.files.map((f) => [f.name, f.sha256])).toEqual(a.files.map((f) => [f.name, f.sha256]));
  });

  it('450,000 new doses in a day make three "new" files of 200,000, 200,000 and 50,000 records', () => {
    const template = line('EV-TEMPLATE');
    const idCol = CVRS_FIELDS.indexOf('vax_event_id');
    const records = Array.from({ length: 450_000 }, (_, i) => {
      const values = template.split('\t');
      values[idCol] = `ev${String(i).padStart(7, '0')}`;
      return net(`E${String(i).padStart(7, '0')}`, 'new', values.join('\t'));
    });
    const built = buildDay(DAY, records, { submitter: 'CAA', check: () => [] });
    expect(built.files.map((f) => [f.name, f.type, f.records])).toEqual([
      ['20261124_01_CAA.txt', 'new', 200_000],
      ['20261124_02_CAA.txt', 'new', 200_000],
      ['20261124_03_CAA.txt', 'new', 50_000],
    ]);
    expect(built.files.map((f) => f.text.split('\n').length - 2)).toEqual([200_000, 200_000, 50_000]);
  });
});
