import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '#doses/store.ts';
import { decideSend, NEW_DOSE, type RegistryState, settle, skip } from '#registry/decide.ts';

describe('decideSend', () => {
  it('sends an add, then updates as U, then a delete as D', () => {
    let state = NEW_DOSE;
    const history: [number, Action][] = [
      [1, 'A'],
      [2, 'U'],
      [3, 'D'],
    ];
    const sent = history.map(([version, action]) => {
      const d = decideSend({ version, action }, state);
      if (d.send) state = settle(state, version, d.action, 'accepted');
      return d.send ? d.action : '-';
    });
    expect(sent).toEqual(['A', 'U', 'D']);
  });

  it('never sends a settled version again, even one accepted with warnings', () => {
    const state = settle(NEW_DOSE, 1, 'A', 'accepted-with-warnings');
    expect(decideSend({ version: 1, action: 'A' }, state)).toEqual({
      send: false,
      reason: 'already-settled',
    });
  });

  it('sends the correction of a rejected add as an add, and does not delete what the registry never had', () => {
    const rejected = settle(NEW_DOSE, 1, 'A', 'rejected');
    expect(decideSend({ version: 2, action: 'U' }, rejected)).toEqual({ send: true, action: 'A' });
    expect(decideSend({ version: 2, action: 'D' }, rejected)).toEqual({
      send: false,
      reason: 'nothing-to-delete',
    });
  });

  it('whatever the outcomes, the registry is never sent U or D for a dose it does not hold (property)', () => {
    const step = fc.record({
      action: fc.constantFrom<Action>('U', 'D'),
      outcome: fc.constantFrom('accepted', 'accepted-with-warnings', 'rejected' as const),
    });
    fc.assert(
      fc.property(
        fc.constantFrom('accepted', 'rejected' as const),
        fc.array(step, { maxLength: 8 }),
        (first, steps) => {
          let state: RegistryState = settle(NEW_DOSE, 1, 'A', first);
          steps.forEach((s, i) => {
            const d = decideSend({ version: i + 2, action: s.action }, state);
            if (d.send && d.action !== 'A') expect(state.holdsDose).toBe(true);
            state = d.send ? settle(state, i + 2, d.action, s.outcome) : skip(state, i + 2);
            // Every version settles exactly once, in order: the next one is never held up by this one.
            expect(state.settledVersion).toBe(i + 2);
          });
        },
      ),
    );
  });
});
