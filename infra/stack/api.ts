/** The HTTP API: stage, access logs, the Lambda authorizer and every topology route. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { suppress } from '../nag.ts';
/** Construct id of the singleton function CDK adds to put S3 bucket notification configurations. */
import type { PipelineStack } from '../stack.ts';
import { headerIdentitySource, type PipelineTopology, parseRoute, pascalCase } from '../topology-checks.ts';
import { integrationTimeout } from './constants.ts';

export function createApi(stack: PipelineStack, t: PipelineTopology): { api: HttpApi; stage: HttpStage } {
  const api = new HttpApi(stack, 'Api', {
    description: 'Dose intake API',
    createDefaultStage: false,
  });
  const accessLogs = new LogGroup(stack, 'ApiAccessLogs', {
    retention: RetentionDays.ONE_YEAR,
    encryptionKey: stack.key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const stage = new HttpStage(stack, 'DefaultStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: t.api.throttle.rateLimit, burstLimit: t.api.throttle.burstLimit },
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          requestTime: '$context.requestTime',
          ip: '$context.identity.sourceIp',
          userAgent: '$context.identity.userAgent',
          routeKey: '$context.routeKey',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          responseLatency: '$context.responseLatency',
          integrationLatency: '$context.integrationLatency',
          integrationError: '$context.integrationErrorMessage',
          authorizerError: '$context.authorizer.error',
        }),
      ),
    },
  });

  const authorizer = new HttpLambdaAuthorizer('Authorizer', stack.functions.get(t.api.authorizer)!, {
    authorizerName: t.api.authorizer,
    identitySource: [headerIdentitySource(t.api.identitySource)],
    resultsCacheTtl: Duration.seconds(t.api.authorizerCacheTtlSeconds),
    responseTypes: [HttpLambdaResponseType.SIMPLE],
  });

  for (const [name, spec] of Object.entries(t.functions)) {
    if ((spec.routes?.length ?? 0) + (spec.publicRoutes?.length ?? 0) === 0) continue;
    const integration = new HttpLambdaIntegration(
      `${pascalCase(name)}Integration`,
      stack.functions.get(name)!,
      {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        timeout: integrationTimeout(t.api.integrationTimeoutSeconds),
      },
    );
    for (const route of spec.routes ?? []) {
      const { method, path } = parseRoute(route)!;
      api.addRoutes({ path, methods: [HttpMethod[method]], integration, authorizer });
    }
    for (const route of spec.publicRoutes ?? []) {
      const { method, path } = parseRoute(route)!;
      for (const publicRoute of api.addRoutes({ path, methods: [HttpMethod[method]], integration })) {
        suppress(publicRoute, [
          {
            id: 'AwsSolutions-APIG4',
            reason: `"${route}" is listed in topology.ts publicRoutes: it serves a public document, no dose data.`,
          },
        ]);
      }
    }
  }
  return { api, stage };
}
