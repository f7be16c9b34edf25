import { describe, expect, it } from 'vitest';
import {
  HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS,
  LOG_ALARMS,
  REGISTRY_CREDENTIALS_REFUSED,
  REGISTRY_REPORTER_FUNCTION,
} from '../../infra/stack.ts';
import { topology } from '../../infra/topology.ts';
import { allRoutes, VISIBILITY_TIMEOUT_FACTOR } from '../../infra/topology-checks.ts';
import {
  asArray,
  logicalIdOf,
  ofType,
  referencedIds,
  refOf,
  statementsOfRole,
  synthStack,
} from './helpers.ts';

import {
  actionsOf,
  functionId,
  keyId,
  queueId,
  resources,
  type ScheduleTarget,
  template,
} from './stack-fixture.ts';

describe('HTTP API', () => {
  const authorizerFnId = functionId(topology.api.authorizer);
  const [authorizerId] = ofType(resources, 'AWS::ApiGatewayV2::Authorizer')[0]!;

  it('has a Lambda authorizer with payload 2.0, simple responses, Authorization header and the topology TTL', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: topology.api.authorizerCacheTtlSeconds,
    });
    const [, authorizer] = ofType(resources, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(referencedIds(authorizer.Properties!.AuthorizerUri)).toContain(authorizerFnId);
  });

  it('wires every topology route to its function: routes with the authorizer, publicRoutes without', () => {
    const integrations = Object.fromEntries(ofType(resources, 'AWS::ApiGatewayV2::Integration'));
    const routes = ofType(resources, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);
    const expected = allRoutes(topology);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(expected.map((r) => r.routeKey).sort());

    for (const route of expected) {
      const props = routes.find((r) => r.RouteKey === route.routeKey)!;
      const [integrationId] = [...referencedIds(props.Target)];
      const integration = integrations[integrationId!]!;
      expect(referencedIds(integration.Properties!.IntegrationUri), route.routeKey).toContain(
        functionId(route.fn),
      );
      expect(integration.Properties!.PayloadFormatVersion).toBe('2.0');
      if (route.authorized) {
        expect(props.AuthorizationType, route.routeKey).toBe('CUSTOM');
        expect(refOf(props.AuthorizerId), route.routeKey).toBe(authorizerId);
      } else {
        expect(props.AuthorizationType ?? 'NONE', route.routeKey).toBe('NONE');
        expect(props.AuthorizerId, route.routeKey).toBeUndefined();
      }
    }
  });

  it('uses the topology integration timeout (30 s is the HTTP API default, so it is left implicit)', () => {
    for (const [, integration] of ofType(resources, 'AWS::ApiGatewayV2::Integration')) {
      const ms = integration.Properties!.TimeoutInMillis as number | undefined;
      if (topology.api.integrationTimeoutSeconds >= HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS) {
        expect(ms).toBeUndefined();
      } else {
        expect(ms).toBe(topology.api.integrationTimeoutSeconds * 1000);
      }
    }
  });

  it('has a $default stage with the topology throttle and JSON access logs to an encrypted log group', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const [, stage] = ofType(resources, 'AWS::ApiGatewayV2::Stage')[0]!;
    const props = stage.Properties!;
    expect(props.StageName).toBe('$default');
    expect(props.AutoDeploy).toBe(true);
    expect(props.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: topology.api.throttle.rateLimit,
      ThrottlingBurstLimit: topology.api.throttle.burstLimit,
    });
    const accessLog = props.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(accessLog.Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    const logGroup = resources[refOf(accessLog.DestinationArn)!]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(refOf(logGroup.Properties!.KmsKeyId)).toBe(keyId);
    expect(logGroup.Properties!.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('refused registry credentials', () => {
  it('a metric filter on the registry reporter log group feeds an alarm (>= 1 in 5 min) to the alarm topic', () => {
    const fn = resources[functionId(REGISTRY_REPORTER_FUNCTION)]!.Properties!;
    const logGroupId = refOf((fn.LoggingConfig as { LogGroup: unknown }).LogGroup)!;
    const filters = ofType(resources, 'AWS::Logs::MetricFilter')
      .map(([, f]) => f.Properties!)
      .filter((f) => String(f.FilterPattern).includes('REGISTRY_CREDENTIALS_REFUSED'));
    expect(filters).toEqual([
      {
        LogGroupName: { Ref: logGroupId },
        FilterPattern: '{ $.message = "REGISTRY_CREDENTIALS_REFUSED" }',
        MetricTransformations: [
          {
            MetricNamespace: 'DosePipeline',
            MetricName: 'RegistryCredentialsRefused',
            MetricValue: '1',
            DefaultValue: 0,
          },
        ],
      },
    ]);
    const topicId = ofType(resources, 'AWS::SNS::Topic')[0]![0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: REGISTRY_CREDENTIALS_REFUSED.namespace,
      MetricName: REGISTRY_CREDENTIALS_REFUSED.metricName,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  it('is not created for a topology without the registry reporter', () => {
    const { [REGISTRY_REPORTER_FUNCTION]: _omitted, ...functions } = topology.functions;
    const { resources: without } = synthStack({ topology: { ...topology, functions } as typeof topology });
    const patterns = ofType(without, 'AWS::Logs::MetricFilter').map(([, f]) =>
      String(f.Properties!.FilterPattern),
    );
    expect(patterns.some((p) => p.includes('REGISTRY_CREDENTIALS_REFUSED'))).toBe(false);
    const reporters = LOG_ALARMS.filter((a) => a.fn === REGISTRY_REPORTER_FUNCTION).length;
    expect(patterns.length).toBe(LOG_ALARMS.length - reporters);
  });
});

describe('log alarms', () => {
  it.each(LOG_ALARMS.map((a) => [a.message, a] as const))(
    '%s: a metric filter on its function log group and an alarm to the alarm topic',
    (_message, entry) => {
      const fn = resources[functionId(entry.fn)]!.Properties!;
      const logGroupId = refOf((fn.LoggingConfig as { LogGroup: unknown }).LogGroup)!;
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: logGroupId },
        FilterPattern: `{ $.message = "${entry.message}" }`,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: entry.metricName,
        AlarmActions: [{ Ref: ofType(resources, 'AWS::SNS::Topic')[0]![0] }],
      });
    },
  );

  it('the CDC report checks by 11:00 Pacific and runs hourly from 03:30 until the upload is in', () => {
    const schedules = ofType(resources, 'AWS::Scheduler::Schedule').map(([, r]) => r.Properties!);
    const cdc = schedules.filter((p) => JSON.stringify(p.Target).includes(functionId('cdcReport')));
    expect(cdc.map((p) => [p.ScheduleExpression, p.ScheduleExpressionTimezone]).sort()).toEqual([
      ['cron(0 11 * * ? *)', 'America/Los_Angeles'],
      ['cron(30 3-10 * * ? *)', 'America/Los_Angeles'],
    ]);
  });
});

describe('secrets', () => {
  it.each(Object.entries(topology.secrets))('%s: generated, CMK-encrypted', (name) => {
    const secret =
      resources[logicalIdOf(resources, 'AWS::SecretsManager::Secret', `secret/${name}`)]!.Properties!;
    expect(secret.GenerateSecretString).toBeDefined();
    expect(refOf(secret.KmsKeyId)).toBe(keyId);
  });
});

describe('functions', () => {
  it.each(Object.entries(topology.functions))(
    '%s: nodejs24.x on arm64, topology timeout and memory, active tracing, retained KMS log group',
    (name, spec) => {
      const fn = resources[functionId(name)]!.Properties!;
      expect(fn.Runtime).toBe('nodejs24.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.Timeout).toBe(spec.timeoutSeconds);
      expect(fn.MemorySize).toBe(spec.memoryMb);
      expect(fn.Description).toBe(spec.description);
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      const logGroupId = refOf((fn.LoggingConfig as { LogGroup: unknown }).LogGroup)!;
      const logGroup = resources[logGroupId]!;
      expect(logGroup.Properties!.RetentionInDays).toBeGreaterThanOrEqual(365);
      expect(refOf(logGroup.Properties!.KmsKeyId)).toBe(keyId);
      expect(logGroup.DeletionPolicy).toBe('Retain');
    },
  );

  it('scheduled functions send failed asynchronous events to an alarmed DLQ; the others are never async', () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const dlq = resources[functionId(name)]!.Properties!.DeadLetterConfig;
      const scheduled = ((spec as { schedules?: unknown[] }).schedules?.length ?? 0) > 0;
      expect(dlq !== undefined, name).toBe(scheduled);
    }
  });
});

describe('schedules', () => {
  const schedules = ofType(resources, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties!);

  it('run in America/Los_Angeles with the topology expression, input, retries and a DLQ', () => {
    expect(schedules.length).toBeGreaterThan(0);
    for (const schedule of schedules) {
      expect(schedule.ScheduleExpressionTimezone).toBe('America/Los_Angeles');
      const target = schedule.Target as ScheduleTarget;
      expect(target.RetryPolicy).toEqual({
        MaximumRetryAttempts: expect.any(Number),
        MaximumEventAgeInSeconds: expect.any(Number),
      });
      expect(resources[refOf(target.DeadLetterConfig.Arn)!]!.Type).toBe('AWS::SQS::Queue');
      expect(() => JSON.parse(target.Input)).not.toThrow();
    }
  });

  it('each has its own role that can invoke only its function', () => {
    for (const schedule of schedules) {
      const target = schedule.Target as ScheduleTarget;
      const fnId = refOf(target.Arn)!;
      const roleId = refOf(target.RoleArn)!;
      const role = resources[roleId]!.Properties!;
      expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
      const statements = statementsOfRole(resources, roleId);
      const invoke = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('lambda:')));
      expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
      for (const statement of invoke) expect([...referencedIds(statement.Resource)]).toEqual([fnId]);
      const others = actionsOf(statements).filter((a) => !a.startsWith('lambda:'));
      expect(new Set(others)).toEqual(new Set(['sqs:SendMessage', 'kms:GenerateDataKey', 'kms:Decrypt']));
    }
    const roles = schedules.map((s) => refOf((s.Target as Record<string, unknown>).RoleArn));
    expect(new Set(roles).size).toBe(roles.length);
  });
});

describe('SQS triggers', () => {
  it(`every consumed queue's visibility timeout is at least ${VISIBILITY_TIMEOUT_FACTOR}× its consumer's timeout`, () => {
    for (const [, mapping] of ofType(resources, 'AWS::Lambda::EventSourceMapping')) {
      const fn = resources[refOf(mapping.Properties!.FunctionName)!]!.Properties!;
      const queue = resources[refOf(mapping.Properties!.EventSourceArn)!]!.Properties!;
      expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(
        VISIBILITY_TIMEOUT_FACTOR * (fn.Timeout as number),
      );
    }
    for (const spec of Object.values(topology.functions) as {
      sqs?: { queue: keyof typeof topology.queues };
      timeoutSeconds: number;
    }[]) {
      if (!spec.sqs) continue;
      expect(topology.queues[spec.sqs.queue].visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
        VISIBILITY_TIMEOUT_FACTOR * spec.timeoutSeconds,
      );
    }
  });
});

describe('ingest consumers', () => {
  const mappingOf = (name: string) =>
    ofType(resources, 'AWS::Lambda::EventSourceMapping').find(
      ([, m]) => refOf(m.Properties!.FunctionName) === functionId(name),
    )?.[1].Properties;

  it.each([
    ['ingestPlanner', 'ingestFiles', 2],
    ['ingestWorker', 'ingestChunks', 4],
  ] as const)(
    '%s consumes %s one message at a time, partial batch responses, at most %i at once',
    (fn, queue, max) => {
      expect(mappingOf(fn)).toEqual({
        BatchSize: 1,
        EventSourceArn: { 'Fn::GetAtt': [queueId(queue), 'Arn'] },
        FunctionName: { Ref: functionId(fn) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: max },
        Tags: expect.any(Array),
      });
      const visibility = resources[queueId(queue)]!.Properties!.VisibilityTimeout as number;
      expect(visibility).toBeGreaterThanOrEqual(
        VISIBILITY_TIMEOUT_FACTOR * (resources[functionId(fn)]!.Properties!.Timeout as number),
      );
    },
  );

  it('the uploads sweeper runs every 5 minutes (Los Angeles time) with its stuck-after input', () => {
    const schedules = ofType(resources, 'AWS::Scheduler::Schedule')
      .map(([, s]) => s.Properties!)
      .filter((s) => refOf((s.Target as ScheduleTarget).Arn) === functionId('uploadsSweeper'));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      ScheduleExpressionTimezone: 'America/Los_Angeles',
      State: 'ENABLED',
    });
    expect(JSON.parse((schedules[0]!.Target as ScheduleTarget).Input)).toEqual({ stuckAfterSeconds: 900 });
  });
});

describe('outputs', () => {
  it('give the API URL, table names, queue URLs, secret ARNs', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toContain('ApiUrl');
    expect(outputs.filter((o) => o.endsWith('TableName'))).toHaveLength(Object.keys(topology.tables).length);
    expect(outputs.filter((o) => o.endsWith('QueueUrl'))).toHaveLength(Object.keys(topology.queues).length);
    expect(outputs.filter((o) => o.endsWith('SecretArn'))).toHaveLength(Object.keys(topology.secrets).length);
  });
});
