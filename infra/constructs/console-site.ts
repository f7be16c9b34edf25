/**
 * The web console in AWS (docs/console.md, docs/operations.md): its files in a private S3 bucket behind a
 * CloudFront distribution, which also carries the API under /v1/ so the console calls it on its own origin (no
 * CORS, one CSP). Every answer gets the same security headers as locally (shared/console/headers.ts), with
 * HSTS. Paths without a file extension are the console's pages: a viewer-request function serves them
 * index.html (error-response rewriting would also turn the API's 403/404 into the page).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Function as CfFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  type HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { securityHeaders } from '#console/headers.ts';
import { suppress } from '../nag.ts';

/** CloudFront Functions (JS 2.0): a page path (no extension, not the API) is the console's index.html. */
export const REWRITE_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf('/v1/') !== 0 && uri !== '/v1' && !/\\.[A-Za-z0-9]+$/.test(uri)) request.uri = '/index.html';
  return request;
}`;

export interface ConsoleSiteProps {
  api: HttpApi;
  accessLogBucket: IBucket;
  /** Origins the console calls besides its own: the Cognito issuer's and domain's, the upload bucket's. */
  connectOrigins: string[];
  /** A directory the console was built into (`buildConsole`): deployed with `config`. Omitted: files not deployed. */
  filesDir?: string;
  config?: Record<string, string>;
}

export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: the console's origin. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.bucket = new Bucket(this, 'Files', {
      // The console's code and styles only, no data: S3-managed keys, which CloudFront's OAC reads without a
      // KMS key policy.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'console/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      // Like the stack's other buckets: CloudFormation cannot delete a bucket that still holds versions, and the
      // files are rebuilt from the repository by any later deploy.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppress(this.bucket, [
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'The console is built from the repository and deployed again by cdk deploy: nothing to replicate.',
      },
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'Public code and styles, no data; S3-managed encryption lets CloudFront read it without a KMS grant.',
      },
    ]);

    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'The console: CSP and security headers (shared/console/headers.ts)',
      ...headersPolicy(props.connectOrigins),
    });
    const rewrite = new CfFunction(this, 'Pages', {
      code: FunctionCode.fromInline(REWRITE_FUNCTION),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Console pages (paths without an extension, not /v1/) are index.html',
    });
    const apiDomain = `${props.api.apiId}.execute-api.${region}.amazonaws.com`;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Dose pipeline console and API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: rewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new HttpOrigin(apiDomain),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
      enableLogging: true,
      logBucket: this.createLogBucket(props.accessLogBucket),
      logFilePrefix: 'console/',
    });
    suppress(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Sites and program staff are in California, but travelling staff and CDC must reach it: no geo block.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF in the reference stack: sign-in is Cognito with threat protection, the API has its own throttling; a WAF web ACL is a per-deployment addition (docs/operations.md).',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate allows TLSv1 on the viewer side; a custom domain with its ACM certificate and TLSv1.2_2021 is set per deployment (docs/operations.md).',
      },
    ]);
    this.url = `https://${this.distribution.distributionDomainName}`;

    if (props.filesDir) {
      this.deployFiles(props.filesDir, props.config ?? {});
      // CDK's deployment function (one per stack, beside this construct) copies the asset into the bucket at
      // deploy time; nothing of the pipeline's data passes through it.
      const handler = Stack.of(this).node.children.find((c) =>
        c.node.id.startsWith('Custom::CDKBucketDeployment'),
      );
      const why = 'CDK BucketDeployment: copies the console files (public code, no data) at deploy time only';
      if (handler)
        suppress(handler, [
          {
            id: 'AwsSolutions-IAM4',
            reason: `${why}; CDK gives its role AWSLambdaBasicExecutionRole.`,
            appliesTo: [
              'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
            ],
          },
          {
            id: 'AwsSolutions-IAM5',
            reason: `${why}; CDK grants it the asset bucket's objects and every key of the console bucket.`,
            appliesTo: [
              'Action::s3:GetObject*',
              'Action::s3:GetBucket*',
              'Action::s3:List*',
              'Action::s3:DeleteObject*',
              'Action::s3:Abort*',
              'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
              `Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*`,
              'Resource::*',
            ],
          },
          { id: 'AwsSolutions-L1', reason: `${why}; its runtime is CDK's to choose.` },
          { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: `${why}; CDK writes its policy inline.` },
          { id: 'HIPAA.Security-LambdaConcurrency', reason: `${why}; one run per deployment.` },
          {
            id: 'HIPAA.Security-LambdaDLQ',
            reason: `${why}; CloudFormation invokes it and reports its failure.`,
          },
          {
            id: 'Serverless-LambdaDLQ',
            reason: `${why}; CloudFormation invokes it and reports its failure.`,
          },
          { id: 'HIPAA.Security-LambdaInsideVPC', reason: `${why}; it reaches S3 and CloudFront only.` },
          { id: 'Serverless-LambdaLatestVersion', reason: `${why}; its runtime is CDK's to choose.` },
          { id: 'Serverless-LambdaTracing', reason: `${why}; nothing to trace.` },
        ]);
    }
  }

  /**
   * CloudFront's standard logs are written with ACLs, which the stack's access-log bucket has disabled (bucket
   * owner enforced, as server access logs want): a bucket of their own, the bucket owner taking the objects.
   */
  private createLogBucket(accessLogBucket: IBucket): Bucket {
    const bucket = new Bucket(this, 'Logs', {
      // CloudFront cannot deliver standard logs to an SSE-KMS bucket.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'console-cloudfront-logs/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppress(bucket, [
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason: 'CloudFront standard logging delivers only to buckets encrypted with SSE-S3 (not SSE-KMS).',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'Single-region reference deployment: the logs are versioned and retained; cross-region replication ' +
          'is a per-deployment decision with its own destination bucket.',
      },
    ]);
    return bucket;
  }

  /**
   * Two deployments, because a page already open keeps its app.js and imports its chunks later: chunks/ (content
   * hashed names) is never pruned and cached for good, so an open page still finds the chunks of the build it
   * came with; everything else (index.html, app.js, app.css, config.json, fixed names) is pruned, revalidated by
   * browsers on each load, and invalidated at the edge (`/*`: one invalidation path per deploy) once the new
   * chunks are in place.
   */
  private deployFiles(dir: string, config: Record<string, string>): void {
    const chunks = existsSync(join(dir, 'chunks'))
      ? new BucketDeployment(this, 'DeployChunks', {
          destinationBucket: this.bucket,
          destinationKeyPrefix: 'chunks/',
          sources: [Source.asset(join(dir, 'chunks'))],
          prune: false,
          cacheControl: [
            CacheControl.setPublic(),
            CacheControl.maxAge(Duration.days(365)),
            CacheControl.immutable(),
          ],
          memoryLimit: 512,
        })
      : undefined;
    const files = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [Source.asset(dir, { exclude: ['chunks'] }), Source.jsonData('config.json', config)],
      // Keeps the sync (and its pruning) away from chunks/, which the deployment above owns.
      exclude: ['chunks/*'],
      prune: true,
      // Browsers ask again on every load (a 304 when unchanged); the edge keeps them a day or until invalidated.
      cacheControl: [
        CacheControl.maxAge(Duration.seconds(0)),
        CacheControl.sMaxAge(Duration.days(1)),
        CacheControl.mustRevalidate(),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    if (chunks) files.node.addDependency(chunks);
  }
}

/** The response headers policy of `securityHeaders()`: CloudFront wants its security headers as such, not custom. */
export function headersPolicy(connectOrigins: readonly string[]) {
  const {
    'content-security-policy': csp,
    'x-content-type-options': contentType,
    'x-frame-options': frame,
    'referrer-policy': referrer,
    ...custom
  } = securityHeaders(connectOrigins);
  if (contentType !== 'nosniff' || frame !== 'DENY')
    throw new Error(`the console's headers changed (${contentType}, ${frame}): update the CloudFront policy`);
  return {
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: csp!, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: referrer as HeadersReferrerPolicy, override: true },
      // CloudFront only: locally the console is plain HTTP on localhost.
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(365),
        includeSubdomains: true,
        override: true,
      },
    },
    customHeadersBehavior: {
      customHeaders: Object.entries(custom).map(([header, value]) => ({ header, value, override: true })),
    },
  };
}
