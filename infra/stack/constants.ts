/** Names and numbers the stack and its tests share (re-exported by infra/stack.ts). */

import { Duration } from 'aws-cdk-lib';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { ALARMS, METRIC_NAMESPACE } from '#platform/alarms.ts';

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
export { METRIC_NAMESPACE };
export const REGISTRY_REPORTER_FUNCTION = ALARMS.registryCredentialsRefused.fn;
export const REGISTRY_CREDENTIALS_REFUSED = {
  message: ALARMS.registryCredentialsRefused.code,
  namespace: METRIC_NAMESPACE,
  metricName: ALARMS.registryCredentialsRefused.metricName,
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

/** Every alarm on a log line (shared/platform/alarms.ts), as the stack wires them. */
export const LOG_ALARMS: readonly LogAlarm[] = Object.values(ALARMS).map((a) => ({
  id: a.metricName,
  fn: a.fn,
  message: a.code,
  metricName: a.metricName,
  description: a.description,
}));

export function integrationTimeout(seconds: number): Duration | undefined {
  return seconds >= HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS ? undefined : Duration.seconds(seconds);
}

/** The CDK event type of a topology event name (`s3:ObjectCreated:*` → EventType.OBJECT_CREATED). */
export function s3EventType(event: string): EventType {
  const type = Object.values(EventType).find((value) => value === event);
  if (!type) throw new Error(`${event} is not an S3 event type`);
  return type;
}
