import type { Action, DoseVersion } from '#doses/store.ts';

/**
 * What the registry has been told about one dose so far: the last version it settled (accepted or
 * rejected), and whether it holds the dose (an accepted add or update, not deleted since).
 */
export interface RegistryState {
  settledVersion: number;
  holdsDose: boolean;
}

export const NEW_DOSE: RegistryState = { settledVersion: 0, holdsDose: false };

export type SendDecision =
  | { send: true; action: Action }
  | { send: false; reason: 'already-settled' | 'nothing-to-delete' };

/**
 * Whether and how to send one stored version to the registry, given what it already has. Versions are sent
 * in order, and a version already settled is never sent again (a re-delivered message, or one whose dose was
 * accepted with warnings). An update to a dose the registry does not hold (its add was rejected) goes as an
 * add; a delete of a dose it never held is not sent at all.
 */
export function decideSend(v: Pick<DoseVersion, 'version' | 'action'>, state: RegistryState): SendDecision {
  if (v.version <= state.settledVersion) return { send: false, reason: 'already-settled' };
  if (v.action === 'D')
    return state.holdsDose ? { send: true, action: 'D' } : { send: false, reason: 'nothing-to-delete' };
  if (v.action === 'U') return { send: true, action: state.holdsDose ? 'U' : 'A' };
  return { send: true, action: 'A' };
}

export type AckOutcome = 'accepted' | 'accepted-with-warnings' | 'rejected';

/** The state after the registry answered a version. */
export function settle(
  state: RegistryState,
  version: number,
  action: Action,
  outcome: AckOutcome,
): RegistryState {
  const accepted = outcome !== 'rejected';
  if (!accepted) return { settledVersion: version, holdsDose: state.holdsDose };
  return { settledVersion: version, holdsDose: action !== 'D' };
}

/** A version that needs no sending (nothing to delete) still settles, so the next one is not held up. */
export function skip(state: RegistryState, version: number): RegistryState {
  return { ...state, settledVersion: Math.max(state.settledVersion, version) };
}
