/**
 * The web console in AWS (infra/constructs/console-site.ts): a private bucket behind CloudFront with the same
 * security headers as locally, the API under /v1/ on the same origin, console pages rewritten to index.html by a
 * viewer-request function (run here in a VM, as CloudFront would), the files and config.json deployed, the drop
 * bucket's CORS for the console's origin only, Cognito sending people back to it; cdk-nag finds nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '#console/build.ts';
import { consoleCsp } from '#console/headers.ts';
import { REWRITE_FUNCTION } from '../../infra/constructs/console-site.ts';
import { nagPacks } from '../../infra/nag.ts';
import { type CfnResource, ofType, synthStack } from './helpers.ts';

let dir: string;
let resources: Record<string, CfnResource>;
let app: ReturnType<typeof synthStack>['app'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-cdk-'));
  await buildConsole(dir);
  ({ resources, app } = synthStack({ consoleDir: dir }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const one = (type: string) => {
  const found = ofType(resources, type);
  expect(found, type).toHaveLength(1);
  return found[0]![1].Properties as Record<string, any>;
};

describe('the console on CloudFront', () => {
  it('default behaviour: the private bucket through OAC, HTTPS only, the headers policy and the page rewrite', () => {
    const d = one('AWS::CloudFront::Distribution').DistributionConfig;
    expect(d.DefaultRootObject).toBe('index.html');
    expect(d.HttpVersion).toBe('http2and3');
    const b = d.DefaultCacheBehavior;
    expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(b.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: expect.anything() }]);
    const origin = d.Origins.find((o: any) => o.Id === b.TargetOriginId);
    expect(origin.S3OriginConfig).toBeDefined();
    expect(origin.OriginAccessControlId).toBeDefined();
    // No error-response rewriting: an API 403/404 stays what it is.
    expect(d.CustomErrorResponses).toBeUndefined();
  });

  it('/v1/* goes to the HTTP API uncached with every viewer header but Host, on the same origin', () => {
    const d = one('AWS::CloudFront::Distribution').DistributionConfig;
    const [api] = d.CacheBehaviors;
    expect(api.PathPattern).toBe('/v1/*');
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    expect(api.AllowedMethods.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    const origin = d.Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(JSON.stringify(origin.DomainName)).toContain('execute-api');
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });

  it('the response headers: the console CSP (no inline), frame DENY, nosniff, no-referrer, HSTS', () => {
    const h = one('AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig;
    const csp: string = JSON.stringify(h.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    const local = consoleCsp([]);
    for (const directive of local.split('; ').filter((d) => !d.startsWith('connect-src')))
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain('connect-src');
    expect(csp).toContain('cognito-idp.');
    expect(csp).toContain('.s3.');
    expect(h.SecurityHeadersConfig.FrameOptions.FrameOption).toBe('DENY');
    expect(h.SecurityHeadersConfig.ContentTypeOptions.Override).toBe(true);
    expect(h.SecurityHeadersConfig.ReferrerPolicy.ReferrerPolicy).toBe('no-referrer');
    expect(h.SecurityHeadersConfig.StrictTransportSecurity.AccessControlMaxAgeSec).toBe(31_536_000);
  });

  it('the viewer-request function: pages to index.html, files and the API untouched', () => {
    const fn = one('AWS::CloudFront::Function');
    expect(fn.FunctionCode).toBe(REWRITE_FUNCTION);
    const run = (uri: string) =>
      (
        runInNewContext(`${REWRITE_FUNCTION}; handler(event)`, { event: { request: { uri } } }) as {
          uri: string;
        }
      ).uri;
    expect(run('/dose')).toBe('/index.html');
    expect(run('/statewide/map')).toBe('/index.html');
    expect(run('/')).toBe('/index.html');
    expect(run('/app.js')).toBe('/app.js');
    expect(run('/chunks/charts-AB12.js')).toBe('/chunks/charts-AB12.js');
    expect(run('/v1/doses')).toBe('/v1/doses');
    expect(run('/v1/persons/search')).toBe('/v1/persons/search');
  });

  it('the bucket is private and TLS-only; the files and config.json are deployed and the cache invalidated', () => {
    const buckets = ofType(resources, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('ConsoleFiles'));
    expect(buckets).toHaveLength(1);
    expect(buckets[0]![1].Properties!.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const deploy = ofType(resources, 'Custom::CDKBucketDeployment');
    expect(deploy).toHaveLength(1);
    const p = deploy[0]![1].Properties as Record<string, any>;
    expect(p.SourceObjectKeys).toHaveLength(2);
    expect(p.DistributionPaths).toEqual(['/*']);
    // config.json's values are the pool's (tokens resolved at deploy): issuer, client id, the /logout endpoint.
    expect(JSON.stringify(p.SourceMarkers)).toMatch(/SignIn.*UserPool/);
  });

  it('the drop bucket answers PUT and GET from the console origin only; Cognito sends people back there', () => {
    const drop = ofType(resources, 'AWS::S3::Bucket').find(([id]) => id.startsWith('DropBucket'))![1];
    const [rule] = (drop.Properties!.CorsConfiguration as { CorsRules: any[] }).CorsRules;
    expect(rule.AllowedMethods).toEqual(['PUT', 'GET']);
    expect(rule.AllowedOrigins).toHaveLength(1);
    expect(JSON.stringify(rule.AllowedOrigins[0])).toMatch(/ConsoleDistribution.*DomainName/);
    expect(rule.AllowedHeaders).toEqual(['content-type']);
  });

  it('cdk-nag: nothing unacknowledged with the files deployed', () => {
    const violations = nagPacks(app).flatMap((pack) => pack.validateScope(app).violations);
    expect(
      violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
  });
});
