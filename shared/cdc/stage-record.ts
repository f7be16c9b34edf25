import type { SQSRecord } from 'aws-lambda';
import type { ChangeMessage } from '#doses/messages.ts';
import { errorSummary, logger } from '#platform/logger.ts';
import { stageMessage } from './stage.ts';

/**
 * One message of the CDC queue, staged for the report day on which it arrived (its SentTimestamp, in
 * California). Throws, after logging why, when the message must stay on the queue (and so retry into the DLQ).
 */
export async function stageRecord(record: SQSRecord): Promise<void> {
  let msg: ChangeMessage;
  let res: Awaited<ReturnType<typeof stageMessage>>;
  try {
    msg = JSON.parse(record.body) as ChangeMessage;
    const sent = Number(record.attributes.SentTimestamp);
    res = await stageMessage(msg, new Date(Number.isFinite(sent) && sent > 0 ? sent : Date.now()));
  } catch (err) {
    logger.error('CDC staging failed', errorSummary(err));
    throw err;
  }
  if (res.kind === 'missing') {
    // The pointer is published after the version is stored, so this is a read of a table in another
    // region or a bug: keep the message (it ends in the DLQ) rather than report a dose we cannot see.
    logger.error('CDC change points at no stored version', { version: msg.version });
    throw new Error(`CDC change points at no stored version (${msg.version})`);
  }
}
