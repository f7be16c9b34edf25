/**
 * Log lines that need a person, declared once: the functions log `code` (as the JSON `message`) when the
 * condition happens, and the stack (infra/stack/alarms.ts) puts a metric filter on that function's log group
 * and an alarm (≥ 1 in 5 minutes) to the alarm topic. test/platform/alarms.test.ts proves each is logged.
 */
export const METRIC_NAMESPACE = 'DosePipeline';

export const ALARMS = {
  registryCredentialsRefused: {
    code: 'REGISTRY_CREDENTIALS_REFUSED',
    /** The topology function that logs it. */
    fn: 'registryReporter',
    metricName: 'RegistryCredentialsRefused',
    description:
      'A regional registry refused our SOAP credentials: sending to it is paused until they are fixed ' +
      `(REGISTRY_CREDENTIALS_REFUSED in the registryReporter logs; see the registry field).`,
  },
  registryAckMismatch: {
    code: 'REGISTRY_ACK_MISMATCH',
    /** The topology function that logs it. */
    fn: 'registryReporter',
    metricName: 'RegistryAckMismatch',
    description:
      'A regional registry answered with an ACK for another message (MSA-2 is not the MSH-10 we sent): the dose is left unsettled and retried, but a registry mixing up answers needs a person (REGISTRY_ACK_MISMATCH in the ' +
      `registryReporter logs; see the registry field).`,
  },
  cdcReportLate: {
    code: 'CDC_REPORT_LATE',
    /** The topology function that logs it. */
    fn: 'cdcReport',
    metricName: 'CdcReportLate',
    description:
      "Yesterday's CDC report was not uploaded by 11:00 Pacific (CDC expects it by noon). The day's lastError is " +
      'in the CDC_REPORT_LATE log line; once fixed, run: npm run cdc-report -- --date <day> --function <cdcReport>.',
  },
  cdcRecordsHeldBack: {
    code: 'CDC_RECORDS_HELD_BACK',
    /** The topology function that logs it. */
    fn: 'cdcReport',
    metricName: 'CdcRecordsHeldBack',
    description:
      'Records of a CDC report day failed our CVRS checks and were held back (not sent): see held-back.json ' +
      'under cdc/<day>/ in the audit bucket.',
  },
  rollupFailed: {
    code: 'ROLLUP_FAILED',
    /** The topology function that logs it. */
    fn: 'nightlyRollup',
    metricName: 'RollupFailed',
    description:
      'The nightly accountability roll-up failed (the schedule retries at 03:30). Rerun by hand once fixed: ' +
      'npm run nightly -- --date <day> --function <nightlyRollup>.',
  },
  analyticsFailed: {
    code: 'ANALYTICS_FAILED',
    /** The topology function that logs it. */
    fn: 'analyticsNightly',
    metricName: 'AnalyticsFailed',
    description:
      'The nightly uptake, coverage, supply and timeliness run failed (the schedule retries at 04:15). Rerun by ' +
      'hand once fixed: npm run nightly -- --date <day> --function <nightlyRollup> --analytics <analyticsNightly>.',
  },
  rollupLate: {
    code: 'ROLLUP_LATE',
    /** The topology function that logs it. */
    fn: 'nightlyRollup',
    metricName: 'RollupLate',
    description:
      "Yesterday's accountability roll-up has not completed by 06:00 California time: the wastage and expiry " +
      'reports are missing. Rerun: npm run nightly -- --date <day> --function <nightlyRollup>.',
  },
} as const;

export type AlarmName = keyof typeof ALARMS;
