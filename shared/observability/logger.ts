import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger for every function. Doses are protected health information: log codes, counts,
 * ids of requests and error names, never a dose, a name, a date of birth or a request body.
 */
export const logger = new Logger({ serviceName: 'dose-pipeline' });

/** The loggable part of an error: its class and message, never attached data. */
export function errorSummary(err: unknown): { error: string; message: string } {
  return err instanceof Error
    ? { error: err.name, message: err.message.slice(0, 200) }
    : { error: 'Unknown', message: '' };
}
