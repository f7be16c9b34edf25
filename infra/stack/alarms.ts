/** Alarms on log lines that need a person (LOG_ALARMS). */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
/** Construct id of the singleton function CDK adds to put S3 bucket notification configurations. */
import type { PipelineStack } from '../stack.ts';
import { LOG_ALARMS, METRIC_NAMESPACE } from './constants.ts';

/** A metric filter per LOG_ALARMS entry on its function's log group, and an alarm on it. */
export function createLogAlarms(stack: PipelineStack): void {
  for (const entry of LOG_ALARMS) {
    const fn = stack.functions.get(entry.fn);
    if (!fn) continue;
    const filter = new MetricFilter(stack, `${entry.id}Filter`, {
      logGroup: fn.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', entry.message),
      metricNamespace: METRIC_NAMESPACE,
      metricName: entry.metricName,
      metricValue: '1',
      defaultValue: 0,
    });
    const alarm = new Alarm(stack, `${entry.id}Alarm`, {
      alarmDescription: entry.description,
      metric: filter.metric({ period: Duration.minutes(5), statistic: Stats.SUM }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(stack.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
