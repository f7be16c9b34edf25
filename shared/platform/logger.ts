import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger for every function. Doses are protected health information: log codes, counts,
 * ids of requests and error names, never a dose, a name, a date of birth or a request body.
 */
export const logger = new Logger({ serviceName: 'dose-pipeline' });

/**
 * The loggable part of an error: its class only. Messages are not logged: parsers and SDKs quote their input
 * in them, and that input may be a dose.
 */
export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'Unknown';
}

export function errorSummary(err: unknown): { error: string } {
  return { error: errorName(err) };
}
