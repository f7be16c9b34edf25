/**
 * How a fuzz target is run, the same way by the bounded vitest suite (test/fuzz/fuzz.test.ts) and by the long
 * run (scripts/fuzz.ts): a fast-check property over generated inputs, with named invariants that a known open
 * defect (test/fuzz/known.ts) can switch off in the bounded run until its fix lands.
 */
import fc from 'fast-check';
import type { Pipeline } from './pipeline.ts';
import { brief } from './shapes.ts';

export interface FuzzContext {
  /** The real API handlers on local stand-ins, for targets that say `pipeline: true`. */
  pipeline?: Pipeline;
  /** Invariants not checked (known open defects), by id. */
  skip: ReadonlySet<string>;
  /** Counters a target keeps (rows read, doses accepted...), reported with its result. */
  stats: Record<string, number>;
}

export interface FuzzTarget<T = unknown> {
  /** What `--only` names: json, files, hl7, soap, if-match, cdc. */
  name: string;
  /** The code under test, in words. */
  covers: string;
  /** Needs the local runtime (real handlers on stand-ins). */
  pipeline?: boolean;
  arbitrary: fc.Arbitrary<T>;
  /** Checks one input; throws InvariantError (via `invariant`) when an invariant does not hold. */
  check(input: T, ctx: FuzzContext): Promise<void>;
  /** Shows an input of a counterexample. */
  show?(input: T): string;
}

export class InvariantError extends Error {
  override name = 'InvariantError';
  readonly invariant: string;
  constructor(invariant: string, detail: string) {
    super(`${invariant}: ${detail}`);
    this.invariant = invariant;
  }
}

/** Fails the input unless `ok`, or unless the invariant is a known open defect this run skips. */
export function invariant(ctx: FuzzContext, id: string, ok: boolean, detail: () => string): void {
  if (!ok && !ctx.skip.has(id)) throw new InvariantError(id, detail());
}

/** Runs `fn`; an exception it throws is a crash of the code under test (invariant `<target>.no-crash`). */
export async function noCrash<R>(
  ctx: FuzzContext,
  id: string,
  fn: () => R | Promise<R>,
): Promise<R | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InvariantError) throw err;
    invariant(
      ctx,
      id,
      false,
      () => `threw ${(err as Error)?.name}: ${String((err as Error)?.message).slice(0, 300)}`,
    );
    return undefined;
  }
}

export interface FuzzResult {
  target: string;
  runs: number;
  seconds: number;
  seed: number;
  stats: Record<string, number>;
  failure?: { message: string; counterexample: string; path?: string; shrinks: number };
}

export async function runTarget<T>(
  target: FuzzTarget<T>,
  opts: { runs: number; seed: number; skip?: ReadonlySet<string>; pipeline?: Pipeline; shrink?: boolean },
): Promise<FuzzResult> {
  const ctx: FuzzContext = { pipeline: opts.pipeline, skip: opts.skip ?? new Set(), stats: {} };
  let tried = 0;
  const started = performance.now();
  const details = await fc.check(
    fc.asyncProperty(target.arbitrary, async (input) => {
      tried++;
      await target.check(input, ctx);
    }),
    {
      numRuns: opts.runs,
      seed: opts.seed,
      endOnFailure: opts.shrink === false,
      interruptAfterTimeLimit: undefined,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const result: FuzzResult = {
    target: target.name,
    runs: details.numRuns,
    seconds,
    seed: opts.seed,
    stats: { ...ctx.stats, executions: tried },
  };
  if (details.failed) {
    const input = details.counterexample?.[0] as T;
    const err = details.errorInstance as Error | undefined;
    result.failure = {
      message: err?.message ?? String(details.errorInstance),
      counterexample: input === undefined ? '(none)' : (target.show ?? ((x: T) => brief(x)))(input),
      path: details.counterexamplePath ?? undefined,
      shrinks: details.numShrinks,
    };
  }
  return result;
}

/** One line per target, as the README records a long run. */
export function formatResult(r: FuzzResult): string {
  const rate = r.runs / Math.max(r.seconds, 0.001);
  const extra = Object.entries(r.stats)
    .filter(([k]) => k !== 'executions')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${r.target.padEnd(9)} inputs ${String(r.runs).padStart(7)}  ${r.seconds.toFixed(1).padStart(7)} s  ${rate.toFixed(0).padStart(6)}/s  failures ${r.failure ? 1 : 0}  seed ${r.seed}${extra ? `  ${extra}` : ''}`;
}

export const bump = (ctx: FuzzContext, key: string, by = 1) => {
  ctx.stats[key] = (ctx.stats[key] ?? 0) + by;
};
