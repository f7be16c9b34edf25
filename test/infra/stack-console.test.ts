/**
 * The web console in AWS (infra/constructs/console-site.ts): a private bucket behind CloudFront with the same
 * security headers as locally, the API under /v1/ on the same origin, console pages rewritten to index.html by a
 * viewer-request function (run here in a VM, as CloudFront would), the files and config.json deployed, the drop
 * bucket's CORS for the console's origin only, Cognito sending people back to it; cdk-nag finds nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '#console/build.ts';
import { consoleCsp, securityHeaders } from '#console/headers.ts';
import { REWRITE_FUNCTION } from '../../infra/constructs/console-site.ts';
import { nagPacks } from '../../infra/nag.ts';
import { topology } from '../../infra/topology.ts';
import { type CfnResource, ofType, refOf, synthStack } from './helpers.ts';

let dir: string;
let resources: Record<string, CfnResource>;
let app: ReturnType<typeof synthStack>['app'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-cdk-'));
  await buildConsole(dir);
  ({ resources, app } = synthStack({ consoleDir: dir }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A template value as text, each reference as `<LogicalId>` / `<LogicalId.Attribute>`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
const idOf = (type: string, prefix = '') => {
  const found = ofType(resources, type).filter(([id]) => id.startsWith(prefix));
  expect(found, `${type} ${prefix}`).toHaveLength(1);
  return found[0]![0];
};

const one = (type: string) => resources[idOf(type)]!.Properties as Record<string, any>;

/** The console's origin as the template has it: the distribution's https URL. */
const consoleOrigin = () => `https://<${idOf('AWS::CloudFront::Distribution')}.DomainName>`;

const consoleClientId = () =>
  ofType(resources, 'AWS::Cognito::UserPoolClient').find(
    ([, r]) => r.Properties!.ClientName === 'console',
  )![0];

describe('the console on CloudFront', () => {
  it('default behaviour: the private bucket through OAC, HTTPS only, the headers policy and the page rewrite', () => {
    const d = one('AWS::CloudFront::Distribution').DistributionConfig;
    expect(d.DefaultRootObject).toBe('index.html');
    expect(d.HttpVersion).toBe('http2and3');
    const b = d.DefaultCacheBehavior;
    expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(b.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [idOf('AWS::CloudFront::Function'), 'FunctionARN'] },
      },
    ]);
    const origin = d.Origins.find((o: any) => o.Id === b.TargetOriginId);
    expect(render(origin.DomainName)).toBe(`<${idOf('AWS::S3::Bucket', 'ConsoleFiles')}.RegionalDomainName>`);
    expect(origin.S3OriginConfig).toBeDefined();
    expect(origin.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [idOf('AWS::CloudFront::OriginAccessControl'), 'Id'],
    });
    // No error-response rewriting: an API 403/404 stays what it is.
    expect(d.CustomErrorResponses).toBeUndefined();
  });

  it('/v1/* goes to the HTTP API uncached with every viewer header but Host, on the same origin', () => {
    const d = one('AWS::CloudFront::Distribution').DistributionConfig;
    expect(d.CacheBehaviors).toHaveLength(1);
    const [api] = d.CacheBehaviors;
    expect(api.PathPattern).toBe('/v1/*');
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    expect(api.AllowedMethods.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    expect(api.ViewerProtocolPolicy).toBe('https-only');
    expect(api.FunctionAssociations).toBeUndefined();
    const origin = d.Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(render(origin.DomainName)).toBe(
      `<${idOf('AWS::ApiGatewayV2::Api')}>.execute-api.<AWS::Region>.amazonaws.com`,
    );
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });

  it('the response headers are those of shared/console/headers.ts, exactly, plus HSTS', () => {
    const h = one('AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig;
    const sec = h.SecurityHeadersConfig;
    // Cognito's issuer (discovery, keys) and domain (token endpoint), and the region's S3 for the uploads.
    const origins = [
      'https://cognito-idp.<AWS::Region>.amazonaws.com',
      `https://<${idOf('AWS::Cognito::UserPoolDomain')}>.auth.<AWS::Region>.amazoncognito.com`,
      'https://*.s3.<AWS::Region>.amazonaws.com',
    ];
    const csp = render(sec.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toBe(consoleCsp(origins));
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const served: Record<string, string> = {
      'content-security-policy': csp,
      ...(sec.ContentTypeOptions ? { 'x-content-type-options': 'nosniff' } : {}),
      'x-frame-options': sec.FrameOptions.FrameOption,
      'referrer-policy': sec.ReferrerPolicy.ReferrerPolicy,
      ...Object.fromEntries(
        h.CustomHeadersConfig.Items.map((i: { Header: string; Value: string }) => [i.Header, i.Value]),
      ),
    };
    expect(served).toEqual(securityHeaders(origins));
    for (const header of [
      sec.ContentSecurityPolicy,
      sec.ContentTypeOptions,
      sec.FrameOptions,
      sec.ReferrerPolicy,
      sec.StrictTransportSecurity,
      ...h.CustomHeadersConfig.Items,
    ])
      expect(header.Override).toBe(true);
    expect(sec.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 31_536_000,
      IncludeSubdomains: true,
    });
    // Both behaviours carry it: the API's answers too.
    const d = one('AWS::CloudFront::Distribution').DistributionConfig;
    const policy = { Ref: idOf('AWS::CloudFront::ResponseHeadersPolicy') };
    expect(d.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(policy);
    expect(d.CacheBehaviors[0].ResponseHeadersPolicyId).toEqual(policy);
  });

  it('the viewer-request function: pages to index.html, files and the API untouched', () => {
    const fn = one('AWS::CloudFront::Function');
    expect(fn.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    // The code CloudFront gets, run as CloudFront runs it: handler(event) answering the request to forward.
    const run = (uri: string) =>
      (
        runInNewContext(`${fn.FunctionCode}; handler(event)`, {
          event: {
            version: '1.0',
            context: { eventType: 'viewer-request' },
            request: { method: 'GET', uri },
          },
        }) as { uri: string }
      ).uri;
    expect(fn.FunctionCode).toBe(REWRITE_FUNCTION);
    expect(run('/dose')).toBe('/index.html');
    expect(run('/callback')).toBe('/index.html');
    expect(run('/statewide/map')).toBe('/index.html');
    expect(run('/')).toBe('/index.html');
    expect(run('/app.js')).toBe('/app.js');
    expect(run('/config.json')).toBe('/config.json');
    expect(run('/chunks/charts-AB12.js')).toBe('/chunks/charts-AB12.js');
    expect(run('/fonts/CaGov.woff2')).toBe('/fonts/CaGov.woff2');
    expect(run('/v1/doses')).toBe('/v1/doses');
    expect(run('/v1/persons/search')).toBe('/v1/persons/search');
  });

  it('the bucket is private and TLS-only, read by the distribution alone', () => {
    const id = idOf('AWS::S3::Bucket', 'ConsoleFiles');
    const bucket = resources[id]!.Properties!;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    const policy = ofType(resources, 'AWS::S3::BucketPolicy').find(
      ([, r]) => refOf(r.Properties!.Bucket) === id,
    )!;
    const statements = (policy[1].Properties!.PolicyDocument as { Statement: any[] }).Statement;
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0].Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(render(allows[0].Condition.StringEquals['AWS:SourceArn'])).toContain(
      idOf('AWS::CloudFront::Distribution'),
    );
    expect(
      statements.some(
        (st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    ).toBe(true);
  });

  it('CloudFront logs to a bucket of its own that takes ACL deliveries (the access-log bucket refuses ACLs)', () => {
    const d = one('AWS::CloudFront::Distribution').DistributionConfig;
    const logs = idOf('AWS::S3::Bucket', 'ConsoleLogs');
    expect(d.Logging.Bucket).toEqual({ 'Fn::GetAtt': [logs, 'RegionalDomainName'] });
    const bucket = resources[logs]!.Properties!;
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
    expect(bucket.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('the files: chunks/ kept across deploys, the rest pruned with config.json, then /* invalidated', () => {
    const filesId = idOf('Custom::CDKBucketDeployment', 'ConsoleDeployCustomResource');
    const chunksId = idOf('Custom::CDKBucketDeployment', 'ConsoleDeployChunksCustomResource');
    expect(ofType(resources, 'Custom::CDKBucketDeployment')).toHaveLength(2);
    const chunks = resources[chunksId]!.Properties as Record<string, any>;
    const files = resources[filesId]!.Properties as Record<string, any>;
    // An open page imports the chunks of the build it came with: they stay, under names that never change.
    expect(chunks.Prune).toBe(false);
    expect(chunks.DestinationBucketKeyPrefix).toBe('chunks/');
    expect(chunks.SystemMetadata['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(chunks.DistributionId).toBeUndefined();
    expect(files.Prune).toBe(true);
    expect(files.Exclude).toEqual(['chunks/*']);
    expect(files.SystemMetadata['cache-control']).toBe('max-age=0, s-maxage=86400, must-revalidate');
    expect(files.DistributionPaths).toEqual(['/*']);
    expect(files.DistributionId).toEqual({ Ref: idOf('AWS::CloudFront::Distribution') });
    expect(files.SourceObjectKeys).toHaveLength(2);
    // config.json: the pool's issuer, the console client's id, Cognito's /logout (resolved at deploy).
    // Its tokens are markers in the staged file, each standing for one of SourceMarkers' values.
    const key = render(files.SourceObjectKeys[1]).replace(/\.zip$/, '');
    const staged = readFileSync(join(app.outdir, `asset.${key}`, 'config.json'), 'utf8');
    const markers = files.SourceMarkers[1] as Record<string, unknown>;
    const config = JSON.parse(staged.replace(/<<marker:0xbaba:\d+>>/g, (m) => render(markers[m])));
    expect(config).toEqual({
      issuer: `https://cognito-idp.<AWS::Region>.<AWS::URLSuffix>/<${idOf('AWS::Cognito::UserPool')}>`,
      clientId: `<${consoleClientId()}>`,
      logoutEndpoint: `https://<${idOf('AWS::Cognito::UserPoolDomain')}>.auth.<AWS::Region>.amazoncognito.com/logout`,
    });
    // The new pages go out (and the edge is invalidated) only once their chunks are there.
    expect([resources[filesId]!.DependsOn].flat()).toContain(chunksId);
  });

  it("the drop bucket's CORS: the topology's methods and headers, from the console's origin only", () => {
    const cors = topology.buckets.drop.cors!;
    const drop = resources[idOf('AWS::S3::Bucket', 'DropBucket')]!;
    const rules = (drop.Properties!.CorsConfiguration as { CorsRules: any[] }).CorsRules;
    expect(rules).toHaveLength(1);
    const [rule] = rules;
    expect(rule.AllowedMethods).toEqual(cors.methods);
    expect(rule.AllowedMethods).toContain('PUT');
    expect(rule.AllowedOrigins.map(render)).toEqual([consoleOrigin()]);
    expect(rule.AllowedHeaders).toEqual(cors.allowedHeaders);
    expect(rule.ExposedHeaders).toEqual(cors.exposedHeaders);
    expect(rule.MaxAge).toBe(cors.maxAgeSeconds);
    // No other bucket answers a browser.
    const others = ofType(resources, 'AWS::S3::Bucket').filter(([id]) => !id.startsWith('DropBucket'));
    for (const [, b] of others) expect(b.Properties!.CorsConfiguration).toBeUndefined();
  });

  it("Cognito sends people back to the distribution's /callback, and to its / after sign-out", () => {
    const client = resources[consoleClientId()]!.Properties as Record<string, any>;
    expect(render(client.CallbackURLs[0])).toBe(`${consoleOrigin()}/callback`);
    expect(render(client.LogoutURLs[0])).toBe(`${consoleOrigin()}/`);
  });

  it('cdk-nag: nothing unacknowledged with the files deployed', () => {
    const violations = nagPacks(app).flatMap((pack) => pack.validateScope(app).violations);
    expect(
      violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
  });
});
