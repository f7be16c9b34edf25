import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ChangeMessage } from '#doses/messages.ts';
import { parseChangeMessage } from '#doses/messages.ts';
import { logger } from '#platform/logger.ts';
import { type DoseMessage, reportDose } from '#registry/report-dose.ts';

const processor = new BatchProcessor(EventType.SQS);
/** Identifies this container's locks: a lock left by a dead container expires instead. */
const container = randomUUID();

/**
 * Consumer of the registry queue. Messages of one dose in a batch are reported together, through the newest
 * (reportDose); a message that could not be settled stays on the queue (partial batch response), so its
 * retries back off through the visibility timeout and end in the DLQ. A body that is not a change message
 * fails that message alone, logged as REGISTRY_MESSAGE_MALFORMED with its message id only.
 */
export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  const parsed = new Map<string, ChangeMessage | undefined>();
  const byDose = new Map<string, DoseMessage[]>();
  for (const { messageId, body } of event.Records) {
    const msg = parseChangeMessage(body);
    parsed.set(messageId, msg);
    if (msg) byDose.set(doseKey(msg), [...(byDose.get(doseKey(msg)) ?? []), { messageId, msg }]);
  }
  // Every message of a dose waits for the dose's one report, and fails or succeeds with it. The batch's doses
  // are reported at once: what limits requests to a registry is its own cap (registries.json maxConcurrent,
  // shared/registry/report.ts), and each dose's versions go in order under the dose's lock.
  const reports = new Map<string, Promise<void>>();
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const msg = parsed.get(record.messageId);
    if (!msg) {
      // Fails this message only (its retries end in the DLQ); the rest of the batch is reported. The body is
      // not logged: a malformed one could hold anything.
      logger.error('REGISTRY_MESSAGE_MALFORMED', { messageId: record.messageId });
      throw new Error('REGISTRY_MESSAGE_MALFORMED');
    }
    const key = doseKey(msg);
    let report = reports.get(key);
    if (!report) {
      const dose = byDose.get(key) ?? [];
      report = reportDose(dose, container, new Date());
      reports.set(key, report);
    }
    await report;
  };
  // A batch failed whole is answered like any other (every message listed), not thrown as an invocation error.
  return processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
};

const doseKey = (msg: ChangeMessage) => `${msg.iis_id}#${msg.vax_event_id}`;
