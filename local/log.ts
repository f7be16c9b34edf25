/**
 * One-line logger for the local runtime. Lines name a component and an outcome, never an event or a body:
 * dose payloads are PHI, so nothing here prints request, message or response content.
 */
export type Logger = (line: string) => void;

export const defaultLogger: Logger = (line) => console.log(line);

/** Name and message of a thrown value, nothing else (no stack with argument values, no attached payloads). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err === 'string' ? `Error: ${err}` : 'Error: (non-Error value thrown)';
}
