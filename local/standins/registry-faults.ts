/**
 * The faults a registry stand-in plays (see FaultMode for their order), set through its `faults` API or
 * `PUT /_standin/faults`. Requests held by `timeout` wait here until the faults are cleared or the stand-in stops.
 */
import type { ServerResponse } from 'node:http';
import type { FaultMode, RegistryFaults } from './registry-types.ts';

type Held = { release: () => void };

export function createFaultState() {
  let mode: FaultMode = {};
  let failNext = 0;
  let failNextBody: 'soap' | 'plain' = 'soap';
  const held = new Set<Held>();

  function holdUntilCleared(res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const entry: Held = {
        release: () => {
          held.delete(entry);
          res.off('close', entry.release);
          resolve();
        },
      };
      held.add(entry);
      res.once('close', entry.release);
    });
  }

  function releaseHeld(): void {
    for (const h of [...held]) h.release();
  }

  const faults: RegistryFaults = {
    set(next) {
      mode = { ...next };
      if (!mode.timeout) releaseHeld();
    },
    clear() {
      mode = {};
      failNext = 0;
      releaseHeld();
    },
    failNext(n, body = 'soap') {
      if (!Number.isInteger(n) || n < 0) throw new RangeError('failNext: n must be a whole number ≥ 0');
      failNext = n;
      failNextBody = body;
    },
    current() {
      return { ...mode, failNext };
    },
  };

  return {
    faults,
    /** The mode in force now (read it at each step: it may change while a request waits). */
    get mode(): FaultMode {
      return mode;
    },
    /** Counts down a pending `failNext` and gives the body to fail with, or undefined when none is pending. */
    takeFailNext(): 'soap' | 'plain' | undefined {
      if (failNext <= 0) return undefined;
      failNext--;
      return failNextBody;
    },
    holdUntilCleared,
    releaseHeld,
  };
}

/** Waits `ms`, or less if the client closes the connection first. */
export function waitOrClose(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

export interface FaultInput {
  mode: FaultMode;
  failNext?: number;
  failNextBody?: 'soap' | 'plain';
}

/** Reads the JSON body of `PUT /_standin/faults`; a string is the reason it was refused. */
export function parseFaultInput(input: unknown): FaultInput | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'send a JSON object';
  const o = input as Record<string, unknown>;
  const known = new Set([
    'latencyMs',
    'http500',
    'timeout',
    'securityFault',
    'wrongMsa2',
    'failNext',
    'failNextBody',
  ]);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length > 0) return `unknown fault setting(s): ${unknown.join(', ')}`;
  const mode: FaultMode = {};
  if (o.latencyMs !== undefined) {
    if (typeof o.latencyMs !== 'number' || !(o.latencyMs >= 0)) return 'latencyMs must be a number ≥ 0';
    mode.latencyMs = o.latencyMs;
  }
  if (o.http500 !== undefined) {
    if (typeof o.http500 !== 'boolean' && o.http500 !== 'soap' && o.http500 !== 'plain')
      return "http500 must be true, false, 'soap' or 'plain'";
    mode.http500 = o.http500;
  }
  for (const k of ['timeout', 'securityFault', 'wrongMsa2'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'boolean') return `${k} must be true or false`;
    mode[k] = o[k];
  }
  const out: FaultInput = { mode };
  if (o.failNext !== undefined) {
    if (typeof o.failNext !== 'number' || !Number.isInteger(o.failNext) || o.failNext < 0)
      return 'failNext must be a whole number ≥ 0';
    out.failNext = o.failNext;
  }
  if (o.failNextBody !== undefined) {
    if (o.failNextBody !== 'soap' && o.failNextBody !== 'plain')
      return "failNextBody must be 'soap' or 'plain'";
    out.failNextBody = o.failNextBody;
  }
  return out;
}
