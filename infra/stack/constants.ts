/** Names and numbers the stack and its tests share (re-exported by infra/stack.ts). */
import { Duration } from 'aws-cdk-lib';
import { EventType } from 'aws-cdk-lib/aws-s3';

/** Construct id of the singleton function CDK adds to put S3 bucket notification configurations. */
/** Construct id of the singleton function CDK adds to put S3 bucket notification configurations. */
export const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** Tag that names the topology element a resource was made from, e.g. `function/doses`, `queue/registry/dlq`. */
export const COMPONENT_TAG = 'pipeline:component';
/** COMPONENT_TAG value of the function (and role) CDK adds to put S3 bucket notification configurations. */
export const NOTIFICATIONS_HANDLER_COMPONENT = 'custom-resource/bucket-notifications';

/** Scheduler retries for a target that could not be invoked (throttling, service errors). */
export const SCHEDULE_RETRY_ATTEMPTS = 3;
export const SCHEDULE_MAX_EVENT_AGE = Duration.hours(1);

/**
 * Every bucket, whatever its topology rules: an overwritten or deleted object stays recoverable this long as a
 * noncurrent version, and an upload that never completed (its parts are billed, invisible) is aborted.
 */
export const NONCURRENT_VERSION_RETENTION_DAYS = 30;
export const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 3;

/** HTTP API integrations default to (and max out at) 30 s; CDK only accepts explicit values up to 29 s. */
export const HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS = 30;

/**
 * The function (topology name) that logs REGISTRY_CREDENTIALS_REFUSED (functions/registry/reporter.ts)
 * when a regional registry refuses our SOAP credentials and sending to it is paused.
 */
export const METRIC_NAMESPACE = 'DosePipeline';
export const REGISTRY_REPORTER_FUNCTION = 'registryReporter';
export const REGISTRY_CREDENTIALS_REFUSED = {
  message: 'REGISTRY_CREDENTIALS_REFUSED',
  namespace: METRIC_NAMESPACE,
  metricName: 'RegistryCredentialsRefused',
} as const;

/**
 * Log lines that need a person: each gets a metric filter on its function's log group (JSON `message` field)
 * and an alarm (≥ 1 in 5 minutes) to the alarm topic. Nothing is created for a function the topology lacks.
 */
export interface LogAlarm {
  id: string;
  fn: string;
  message: string;
  metricName: string;
  description: string;
}

export const LOG_ALARMS: readonly LogAlarm[] = [
  {
    id: 'RegistryCredentialsRefused',
    fn: REGISTRY_REPORTER_FUNCTION,
    message: REGISTRY_CREDENTIALS_REFUSED.message,
    metricName: REGISTRY_CREDENTIALS_REFUSED.metricName,
    description:
      'A regional registry refused our SOAP credentials: sending to it is paused until they are fixed ' +
      `(${REGISTRY_CREDENTIALS_REFUSED.message} in the ${REGISTRY_REPORTER_FUNCTION} logs; see the registry field).`,
  },
  {
    id: 'RegistryAckMismatch',
    fn: REGISTRY_REPORTER_FUNCTION,
    message: 'REGISTRY_ACK_MISMATCH',
    metricName: 'RegistryAckMismatch',
    description:
      'A regional registry answered with an ACK for another message (MSA-2 is not the MSH-10 we sent): the dose is left unsettled and retried, but a registry mixing up answers needs a person (REGISTRY_ACK_MISMATCH in the ' +
      `${REGISTRY_REPORTER_FUNCTION} logs; see the registry field).`,
  },
  {
    id: 'CdcReportLate',
    fn: 'cdcReport',
    message: 'CDC_REPORT_LATE',
    metricName: 'CdcReportLate',
    description:
      "Yesterday's CDC report was not uploaded by 11:00 Pacific (CDC expects it by noon). The day's lastError is " +
      'in the CDC_REPORT_LATE log line; once fixed, run: npm run cdc-report -- --date <day> --function <cdcReport>.',
  },
  {
    id: 'CdcRecordsHeldBack',
    fn: 'cdcReport',
    message: 'CDC_RECORDS_HELD_BACK',
    metricName: 'CdcRecordsHeldBack',
    description:
      'Records of a CDC report day failed our CVRS checks and were held back (not sent): see held-back.json ' +
      'under cdc/<day>/ in the audit bucket.',
  },
  {
    id: 'RollupFailed',
    fn: 'nightlyRollup',
    message: 'ROLLUP_FAILED',
    metricName: 'RollupFailed',
    description:
      'The nightly accountability roll-up failed (the schedule retries at 03:30). Rerun by hand once fixed: ' +
      'npm run nightly -- --date <day> --function <nightlyRollup>.',
  },
  {
    id: 'RollupLate',
    fn: 'nightlyRollup',
    message: 'ROLLUP_LATE',
    metricName: 'RollupLate',
    description:
      "Yesterday's accountability roll-up has not completed by 06:00 California time: the wastage and expiry " +
      'reports are missing. Rerun: npm run nightly -- --date <day> --function <nightlyRollup>.',
  },
];

export function integrationTimeout(seconds: number): Duration | undefined {
  return seconds >= HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS ? undefined : Duration.seconds(seconds);
}

/** The CDK event type of a topology event name (`s3:ObjectCreated:*` → EventType.OBJECT_CREATED). */
export function s3EventType(event: string): EventType {
  const type = Object.values(EventType).find((value) => value === event);
  if (!type) throw new Error(`${event} is not an S3 event type`);
  return type;
}
