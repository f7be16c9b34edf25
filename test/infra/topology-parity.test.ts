/**
 * The proof that the CDK stack and the local runtime come from one definition: read the synthesized template
 * back and compare what it holds — functions, their environment, routes, tables, queues, buckets (their
 * notifications and lifecycle rules), secrets, triggers and schedules — with what `infra/topology.ts` lists.
 * Nothing more, nothing less.
 */

import { describe, expect, it } from 'vitest';
import { dlqEnvName } from '#platform/env-names.ts';
import { NOTIFICATIONS_HANDLER_COMPONENT } from '../../infra/stack.ts';
import { type BucketSpec, type FunctionSpec, topology } from '../../infra/topology.ts';
import { allRoutes, signInEnv } from '../../infra/topology-checks.ts';
import { component, logicalIdOf, ofType, referencedIds, refOf, synthStack } from './helpers.ts';

const { resources } = synthStack();
const fns = Object.entries(topology.functions) as [string, FunctionSpec][];
const buckets = Object.entries(topology.buckets) as [string, BucketSpec][];
const notified = buckets.some(([, spec]) => (spec.notifications?.length ?? 0) > 0);
const names = (type: string, prefix: string) =>
  ofType(resources, type)
    .map(([, r]) => component(r))
    .filter((c): c is string => c?.startsWith(prefix) === true && c.split('/').length === 2)
    .map((c) => c.slice(prefix.length))
    .sort();
const sorted = (values: Iterable<string>) => [...values].sort();
const functionNameById = new Map(
  ofType(resources, 'AWS::Lambda::Function')
    .filter(([, r]) => component(r)?.startsWith('function/'))
    .map(([id, r]) => [id, component(r)!.replace(/^function\//, '')]),
);
const queueId = (name: string) => logicalIdOf(resources, 'AWS::SQS::Queue', `queue/${name}`);
const bucketId = (name: string) => logicalIdOf(resources, 'AWS::S3::Bucket', `bucket/${name}`);

describe('the stack holds exactly what topology.ts lists', () => {
  it('functions: one Lambda function per topology entry, plus CDK’s notifications handler if any bucket notifies', () => {
    const all = ofType(resources, 'AWS::Lambda::Function');
    expect(all).toHaveLength(fns.length + (notified ? 1 : 0));
    expect(names('AWS::Lambda::Function', 'function/')).toEqual(sorted(Object.keys(topology.functions)));
    const others = all.map(([, r]) => component(r)).filter((c) => !c?.startsWith('function/'));
    expect(others).toEqual(notified ? [NOTIFICATIONS_HANDLER_COMPONENT] : []);
  });

  it('function environment: exactly the variables topology derives (tables, queues, buckets, secret ARNs, sign-in)', () => {
    for (const [name, spec] of fns) {
      const env = (
        resources[logicalIdOf(resources, 'AWS::Lambda::Function', `function/${name}`)]!.Properties!
          .Environment as { Variables: Record<string, unknown> }
      ).Variables;
      const expected = [
        ...Object.keys(spec.tables ?? {}).map(
          (t) => topology.tables[t as keyof typeof topology.tables].envVar,
        ),
        ...(spec.sendsTo ?? []).map((q) => topology.queues[q].envVar),
        ...(spec.watchesQueues ?? []).flatMap((q) => [
          topology.queues[q].envVar,
          dlqEnvName(topology.queues[q].envVar),
        ]),
        ...Object.keys(spec.buckets ?? {}).map(
          (b) => topology.buckets[b as keyof typeof topology.buckets].envVar,
        ),
        ...(spec.secrets ?? []).map((s) => `${topology.secrets[s].envVar}_SECRET_ARN`),
        ...signInEnv(topology, name),
        'NODE_OPTIONS',
        'POWERTOOLS_SERVICE_NAME',
      ];
      expect(sorted(Object.keys(env)), name).toEqual(sorted(expected));
    }
  });

  it('routes: the API route keys are the routes and publicRoutes of all functions', () => {
    const routeKeys = ofType(resources, 'AWS::ApiGatewayV2::Route').map(([, r]) =>
      String(r.Properties!.RouteKey),
    );
    expect(sorted(routeKeys)).toEqual(sorted(allRoutes(topology).map((r) => r.routeKey)));
  });

  it('tables: one per topology table, with its keys and indexes', () => {
    expect(ofType(resources, 'AWS::DynamoDB::Table')).toHaveLength(Object.keys(topology.tables).length);
    expect(names('AWS::DynamoDB::Table', 'table/')).toEqual(sorted(Object.keys(topology.tables)));
  });

  it('queues: each topology queue and its DLQ, plus one failure queue per scheduled function, nothing else', () => {
    const scheduled = fns.filter(([, spec]) => (spec.schedules?.length ?? 0) > 0).map(([name]) => name);
    const tags = ofType(resources, 'AWS::SQS::Queue').map(([, r]) => component(r));
    expect(sorted(tags as string[])).toEqual(
      sorted([
        ...Object.keys(topology.queues).flatMap((q) => [`queue/${q}`, `queue/${q}/dlq`]),
        ...scheduled.map((f) => `function/${f}/dlq`),
      ]),
    );
  });

  it('buckets and secrets: one per topology entry (plus the access-log bucket and the console files and logs)', () => {
    expect(names('AWS::S3::Bucket', 'bucket/')).toEqual(sorted(Object.keys(topology.buckets)));
    expect(ofType(resources, 'AWS::S3::Bucket')).toHaveLength(Object.keys(topology.buckets).length + 3);
    expect(names('AWS::SecretsManager::Secret', 'secret/')).toEqual(sorted(Object.keys(topology.secrets)));
    expect(ofType(resources, 'AWS::SecretsManager::Secret')).toHaveLength(
      Object.keys(topology.secrets).length,
    );
  });

  it('SQS triggers: one event source mapping per topology sqs trigger, with its settings', () => {
    const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties!);
    const triggers = fns.filter(([, spec]) => spec.sqs);
    expect(mappings).toHaveLength(triggers.length);
    for (const [name, spec] of triggers) {
      const sqs = spec.sqs!;
      const mapping = mappings.find((m) => functionNameById.get(refOf(m.FunctionName)!) === name)!;
      expect(refOf(mapping.EventSourceArn), name).toBe(queueId(sqs.queue));
      expect(mapping.BatchSize, name).toBe(sqs.batchSize);
      // A 0 s window is the default and left out of the template.
      expect(mapping.MaximumBatchingWindowInSeconds ?? 0, name).toBe(sqs.maxBatchingWindowSeconds);
      expect(mapping.FunctionResponseTypes, name).toEqual(['ReportBatchItemFailures']);
      expect(
        (mapping.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency,
        name,
      ).toBe(sqs.maximumConcurrency);
    }
  });

  it('bucket notifications: one S3 → SQS configuration per topology notification and event type, no other', () => {
    const configs = ofType(resources, 'Custom::S3BucketNotifications').map(([, r]) => r.Properties!);
    const actual = configs.flatMap((c) => {
      const config = c.NotificationConfiguration as Record<string, unknown[]>;
      // Only queue destinations: no Lambda, SNS or EventBridge configuration.
      expect(Object.keys(config)).toEqual(['QueueConfigurations']);
      return (
        config.QueueConfigurations as {
          Events: string[];
          Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
          QueueArn: unknown;
        }[]
      ).map((q) => ({
        bucket: refOf(c.BucketName),
        events: q.Events,
        rules: q.Filter.Key.FilterRules,
        queue: refOf(q.QueueArn),
      }));
    });
    const expected = buckets.flatMap(([bucket, spec]) =>
      (spec.notifications ?? []).flatMap((n) =>
        n.events.map((event) => ({
          bucket: bucketId(bucket),
          events: [event],
          rules: [
            ...(n.suffix ? [{ Name: 'suffix', Value: n.suffix }] : []),
            { Name: 'prefix', Value: n.prefix },
          ],
          queue: queueId(n.queue),
        })),
      ),
    );
    expect(actual).toEqual(expected);
    expect(configs).toHaveLength(buckets.filter(([, spec]) => (spec.notifications?.length ?? 0) > 0).length);
  });

  it('bucket lifecycle: one expiration rule per topology rule, by prefix and days', () => {
    for (const [name, spec] of buckets) {
      const rules = (
        resources[bucketId(name)]!.Properties!.LifecycleConfiguration as {
          Rules: { Prefix?: string; ExpirationInDays?: number }[];
        }
      ).Rules;
      expect(
        rules.filter((r) => r.ExpirationInDays !== undefined).map((r) => [r.Prefix, r.ExpirationInDays]),
        name,
      ).toEqual((spec.lifecycle ?? []).map((r) => [r.prefix, r.expireDays]));
    }
  });

  it('schedules: one EventBridge schedule per topology schedule, same function, expression, zone and input', () => {
    const actual = ofType(resources, 'AWS::Scheduler::Schedule').map(([, s]) => {
      const target = s.Properties!.Target as { Arn: unknown; Input: string };
      return {
        fn: functionNameById.get(refOf(target.Arn)!),
        expression: s.Properties!.ScheduleExpression,
        timezone: s.Properties!.ScheduleExpressionTimezone,
        input: JSON.parse(target.Input),
      };
    });
    const expected = fns.flatMap(([fn, spec]) =>
      (spec.schedules ?? []).map((s) => ({
        fn,
        expression: s.expression,
        timezone: s.timezone,
        input: s.input,
      })),
    );
    expect(actual).toEqual(expected);
  });

  it('the authorizer is the function topology.api names', () => {
    const [, authorizer] = ofType(resources, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    const ids = [...referencedIds(authorizer.Properties!.AuthorizerUri)].filter((id) =>
      functionNameById.has(id),
    );
    expect(ids.map((id) => functionNameById.get(id))).toEqual([topology.api.authorizer]);
  });
});
