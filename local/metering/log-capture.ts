/**
 * Bytes a function logs, as CloudWatch Logs would ingest them: what its code writes to stdout or stderr while
 * one of its invocations runs (the scope of local/iam/scope.ts says which). With `quiet`, those lines are
 * counted and not printed, so the bench measures the deployed log level without flooding its output.
 */
import { currentCaller } from '../iam/scope.ts';
import type { Meter } from './meter.ts';

export function captureFunctionLogs(meter: Pick<Meter, 'logged'>, quiet: boolean): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  streams.forEach((stream, i) => {
    const original = originals[i]!;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const caller = currentCaller();
      if (caller && !caller.via) {
        meter.logged(
          caller.functionName,
          typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength,
        );
        if (quiet) {
          const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
          done?.();
          return true;
        }
      }
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
  });
  return () =>
    streams.forEach((stream, i) => {
      stream.write = originals[i]!;
    });
}
