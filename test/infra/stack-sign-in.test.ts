/**
 * Sign-in in AWS (issue 16): the Cognito user pool, its groups and clients, the pre-token-generation trigger,
 * and the authorizer pointed at the pool (docs/sign-in.md, In AWS).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SIGN_IN_GROUPS } from '#auth/token-claims.ts';
import { TOKEN_CLAIMS_ENV } from '#platform/env-names.ts';
import { TOKEN_TRIGGER_VERSION } from '../../infra/constructs/sign-in.ts';
import { topology } from '../../infra/topology.ts';
import type { PipelineTopology } from '../../infra/topology-checks.ts';
import { type CfnResource, ofType, referencedIds, refOf, synthStack } from './helpers.ts';
import { functionId, resources, template } from './stack-fixture.ts';

const poolsOf = (r: Record<string, CfnResource>) => ofType(r, 'AWS::Cognito::UserPool');
const clientsOf = (r: Record<string, CfnResource>) =>
  ofType(r, 'AWS::Cognito::UserPoolClient').map(([id, c]) => [id, c.Properties!] as const);
const [poolId, pool] = poolsOf(resources)[0]!;
const props = pool.Properties!;
const clientNamed = (r: Record<string, CfnResource>, name: string) =>
  clientsOf(r).find(([, c]) => c.ClientName === name)!;
const envOf = (r: Record<string, CfnResource>, id: string) =>
  (r[id]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;

/** The topology with one machine client registered. */
function withMachineClient(): PipelineTopology {
  return {
    ...topology,
    signIn: {
      ...topology.signIn,
      machineClients: [{ name: 'site-CAIRDEMO01', sites: ['CAIRDEMO01', 'CAIRDEMO02'], access: 'write' }],
    },
  };
}

/** Whether the template's resources depend on each other in a circle (CloudFormation refuses it). */
function cycle(r: Record<string, CfnResource>): string[] | undefined {
  const deps = new Map(
    Object.entries(r).map(([id, res]) => {
      const on = new Set([...referencedIds(res.Properties ?? {})].filter((d) => d in r));
      for (const d of [res.DependsOn ?? []].flat()) on.add(d);
      return [id, on] as const;
    }),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const d of deps.get(id) ?? []) {
      const found = visit(d);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of deps.keys()) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}

describe('user pool', () => {
  it('is one pool; only administrators create people (no self sign-up); email is the sign-in name', () => {
    expect(poolsOf(resources)).toHaveLength(1);
    expect(props.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    expect(props.UsernameAttributes).toEqual(['email']);
    expect(props.AutoVerifiedAttributes).toEqual(['email']);
  });

  it('requires TOTP MFA (no SMS), a strong password, recovery by email only', () => {
    expect(props.MfaConfiguration).toBe('ON');
    expect(props.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(props.Policies).toEqual({
      PasswordPolicy: expect.objectContaining({
        MinimumLength: 14,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      }),
    });
    expect(props.AccountRecoverySetting).toEqual({
      RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }],
    });
  });

  it('is on the Plus plan with threat protection enforced, deletion-protected and retained', () => {
    expect(props.UserPoolTier).toBe('PLUS');
    expect(props.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(props.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.UpdateReplacePolicy).toBe('Retain');
  });

  it('has the custom attribute dp_sites, mutable (by administrators)', () => {
    expect(props.Schema).toContainEqual({
      AttributeDataType: 'String',
      Mutable: true,
      Name: 'dp_sites',
      StringAttributeConstraints: { MaxLength: '2048' },
    });
  });

  it('has the groups site-write, site-read, program and admin, highest role first', () => {
    const groups = ofType(resources, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties!);
    expect(groups.map((g) => [g.GroupName, g.Precedence])).toEqual([
      ['admin', 0],
      ['program', 1],
      ['site-write', 2],
      ['site-read', 3],
    ]);
    expect(groups.map((g) => g.GroupName)).toEqual(SIGN_IN_GROUPS.map((g) => g.group));
    for (const g of groups) expect(refOf(g.UserPoolId)).toBe(poolId);
  });

  it('has the Cognito domain of the topology', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: topology.signIn.domainPrefix,
      UserPoolId: { Ref: poolId },
    });
  });
});

describe('console client', () => {
  const [, console_] = clientNamed(resources, 'console');

  it('is public (no secret): authorization code only (PKCE), Cognito sign-in only, the topology URLs', () => {
    expect(console_.GenerateSecret).toBe(false);
    expect(console_.AllowedOAuthFlows).toEqual(['code']);
    expect(console_.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(console_.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
    expect(console_.SupportedIdentityProviders).toEqual(['COGNITO']);
    // The console's CloudFront origin first (constructs/console-site.ts), then any configured.
    const site = { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleDistribution/), 'DomainName'] };
    expect(console_.CallbackURLs).toEqual([
      { 'Fn::Join': ['', ['https://', site, '/callback']] },
      ...topology.signIn.callbackUrls,
    ]);
    expect(console_.LogoutURLs).toEqual([
      { 'Fn::Join': ['', ['https://', site, '/']] },
      ...topology.signIn.logoutUrls,
    ]);
    expect(console_.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    expect(console_.PreventUserExistenceErrors).toBe('ENABLED');
  });

  it('issues access tokens for 15 minutes and refresh tokens for 12 hours, revocable', () => {
    expect(topology.signIn).toMatchObject({ accessTokenMinutes: 15, refreshTokenHours: 12 });
    expect(console_).toMatchObject({
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      RefreshTokenValidity: 12 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
    });
  });

  it('cannot write custom:dp_sites (nor the email); reads it', () => {
    expect(console_.WriteAttributes).toEqual(['family_name', 'given_name']);
    expect(console_.ReadAttributes).toContain('custom:dp_sites');
  });
});

describe('machine clients', () => {
  it('none by default: the console is the only client, beside the resource server and its scope', () => {
    expect(clientsOf(resources).map(([, c]) => c.ClientName)).toEqual(['console']);
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'dose-pipeline-api',
      Scopes: [Match.objectLike({ ScopeName: 'access' })],
      UserPoolId: { Ref: poolId },
    });
    expect(envOf(resources, functionId('tokenClaims'))[TOKEN_CLAIMS_ENV.machineClients]).toBe('[]');
  });

  describe('one registered', () => {
    const { resources: r } = synthStack({ topology: withMachineClient() });
    const [machineId, machine] = clientNamed(r, 'site-CAIRDEMO01');
    const fnId = ofType(r, 'AWS::Lambda::Function').find(([id]) => id.startsWith('TokenClaimsFunction'))![0];
    const authorizerId = ofType(r, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('AuthorizerFunction'),
    )![0];

    it('is confidential: a secret, client credentials only, the API scope, no person can sign in with it', () => {
      expect(machine.GenerateSecret).toBe(true);
      expect(machine.AllowedOAuthFlows).toEqual(['client_credentials']);
      // `dose-pipeline-api/access`, by reference to the resource server so the scope exists first.
      const [serverId] = ofType(r, 'AWS::Cognito::UserPoolResourceServer')[0]!;
      expect(machine.AllowedOAuthScopes).toEqual([{ 'Fn::Join': ['', [{ Ref: serverId }, '/access']] }]);
      expect(r[serverId]!.Properties!.Identifier).toBe('dose-pipeline-api');
      expect(machine.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
      expect(machine.WriteAttributes).not.toContain('custom:dp_sites');
      expect(machine.AccessTokenValidity).toBe(15);
    });

    it("is in the trigger's map (client id → sites and access) and among the authorizer's audiences", () => {
      const map = envOf(r, fnId)[TOKEN_CLAIMS_ENV.machineClients];
      expect(JSON.stringify(map)).toContain(
        '"sites\\":[\\"CAIRDEMO01\\",\\"CAIRDEMO02\\"],\\"access\\":\\"write\\"',
      );
      expect(referencedIds(map)).toEqual(new Set([machineId]));
      const audience = envOf(r, authorizerId).OIDC_AUDIENCE;
      const [consoleId] = clientNamed(r, 'console');
      expect(audience).toEqual({ 'Fn::Join': ['', [{ Ref: consoleId }, ',', { Ref: machineId }]] });
    });

    it('leaves the template without a dependency cycle (the pool names the trigger by ARN)', () => {
      // The check finds one where there is one.
      const loop = (to: string) => ({ Type: 'T', Properties: { p: { Ref: to } } });
      expect(cycle({ A: loop('B'), B: loop('C'), C: loop('A') })).toEqual(['A', 'B', 'C', 'A']);
      expect(cycle(r)).toBeUndefined();
    });
  });
});

describe('pre-token-generation trigger', () => {
  const fnId = functionId('tokenClaims');
  const fn = resources[fnId]!.Properties!;

  it(`is the topology's cognitoTrigger function, wired as ${TOKEN_TRIGGER_VERSION} (sign-ins and client credentials)`, () => {
    expect(TOKEN_TRIGGER_VERSION).toBe('V3_0');
    const config = (
      props.LambdaConfig as { PreTokenGenerationConfig: { LambdaArn: unknown; LambdaVersion: string } }
    ).PreTokenGenerationConfig;
    expect(config.LambdaVersion).toBe('V3_0');
    // By the function's fixed name, not a reference (see constructs/sign-in.ts).
    expect(fn.FunctionName).toBe('Pipeline-tokenClaims');
    expect(JSON.stringify(config.LambdaArn)).toContain(':function:Pipeline-tokenClaims');
    expect(Object.keys(props.LambdaConfig as object)).toEqual(['PreTokenGenerationConfig']);
  });

  it('may be invoked by Cognito for this pool and account only', () => {
    const permissions = ofType(resources, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties!)
      .filter((p) => refOf(p.FunctionName) === fnId);
    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        Principal: 'cognito-idp.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
      },
    ]);
  });

  it('has no AWS access beyond its own logs and tracing', () => {
    const roleId = refOf(fn.Role)!;
    const statements = ofType(resources, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties!.Roles as unknown[]).some((role) => refOf(role) === roleId))
      .flatMap(
        ([, p]) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      )
      .flatMap((s) => [s.Action].flat());
    expect(statements.filter((a) => !/^(logs|xray):/.test(a))).toEqual([]);
  });
});

describe('authorizer', () => {
  const env = envOf(resources, functionId(topology.api.authorizer));

  it("gets OIDC_ISSUER, the pool's issuer URL", () => {
    expect(env.OIDC_ISSUER).toEqual({
      'Fn::Join': [
        '',
        [
          'https://cognito-idp.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          { Ref: poolId },
        ],
      ],
    });
  });

  it("gets OIDC_AUDIENCE, the console client's id (the only client by default)", () => {
    const [consoleId] = clientNamed(resources, 'console');
    expect(env.OIDC_AUDIENCE).toEqual({ Ref: consoleId });
  });
});

describe('outputs', () => {
  it('give the user pool id, the issuer, the console client id and the hosted UI URL', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.SignInUserPoolId!.Value).toEqual({ Ref: poolId });
    expect([...referencedIds(outputs.SignInIssuer!.Value)].filter((id) => id in resources)).toEqual([poolId]);
    expect(outputs.SignInConsoleClientId!.Value).toEqual({ Ref: clientNamed(resources, 'console')[0] });
    expect(JSON.stringify(outputs.SignInHostedUiUrl!.Value)).toContain('.auth.');
  });
});

describe('without signIn', () => {
  it('the stack has no user pool and the authorizer no OIDC variables (API keys only)', () => {
    const { signIn: _none, ...rest } = topology;
    const { tokenClaims: _trigger, ...functions } = topology.functions;
    const { resources: r } = synthStack({ topology: { ...rest, functions } });
    expect(poolsOf(r)).toEqual([]);
    const authorizerId = ofType(r, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('AuthorizerFunction'),
    )![0];
    expect(Object.keys(envOf(r, authorizerId))).not.toContain('OIDC_ISSUER');
  });
});
