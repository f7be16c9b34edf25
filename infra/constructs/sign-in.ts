/**
 * Sign-in in AWS (issue 16, docs/sign-in.md): the Amazon Cognito user pool whose access tokens the API's
 * authorizer accepts beside API keys, built from `topology.signIn`.
 *
 * - People: no self sign-up (an administrator creates each person), email as the sign-in name, TOTP MFA required,
 *   a strong password policy, threat protection enforced (Plus plan), recovery by email, deletion protection.
 *   Role and access come from the person's group, sites from `custom:dp_sites`, which no app client may write.
 * - The console: a public client (no secret), authorization code with PKCE only, on the Cognito domain.
 * - Machines: a confidential client per `signIn.machineClients` entry, client credentials on the API's resource
 *   server, its sites and access from the topology.
 * - The pre-token-generation trigger (V3_0: sign-ins and client credentials) adds the `dp_*` claims.
 *
 * The trigger is named by ARN, not by reference: its environment holds the machine clients' ids, which exist only
 * once the pool does, so a reference from the pool to the function would be a dependency cycle
 * (pool → function → client → pool). The function has a fixed name for that; Cognito calls it only once the
 * stack is deployed, and the invoke permission waits for both.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type CfnUserPool,
  type CfnUserPoolClient,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  type UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type MachineClientClaims, SIGN_IN_GROUPS, SITES_ATTRIBUTE } from '#auth/token-claims.ts';
import { TOKEN_CLAIMS_ENV } from '#platform/env-names.ts';
import { COMPONENT_TAG } from '../stack/constants.ts';
import type { PipelineTopology } from '../topology-checks.ts';
import type { PipelineFunction } from './pipeline-function.ts';

/** The pre-token-generation trigger's event version: V3_0 covers sign-ins and client credentials alike. */
export const TOKEN_TRIGGER_VERSION = LambdaVersion.V3_0;

/** Attributes the app clients may write for the signed-in person: never `custom:dp_sites`, never the email. */
const WRITABLE_ATTRIBUTES = new ClientAttributes().withStandardAttributes({
  givenName: true,
  familyName: true,
});

export interface SignInProps {
  spec: NonNullable<PipelineTopology['signIn']>;
  /** The function with `cognitoTrigger: 'preTokenGeneration'`, created with `functionName`. */
  trigger: PipelineFunction;
  /** Its fixed physical name. */
  triggerName: string;
}

export class SignIn extends Construct {
  readonly userPool: UserPool;
  readonly consoleClient: UserPoolClient;
  readonly machineClients: { name: string; client: UserPoolClient }[] = [];
  readonly resourceServer: UserPoolResourceServer;
  readonly domain: UserPoolDomain;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the tokens' `iss` (OIDC_ISSUER). */
  readonly issuer: string;
  /** The console's and the machine clients' ids: Cognito's `client_id` claim (OIDC_AUDIENCE). */
  readonly audiences: string[];

  private readonly spec: SignInProps['spec'];

  constructor(scope: Construct, id: string, props: SignInProps) {
    super(scope, id);
    const { spec, trigger } = props;
    this.spec = spec;
    const stack = Stack.of(this);

    this.userPool = new UserPool(this, 'UserPool', {
      // People are added by an administrator (docs/sign-in.md, In AWS), never by themselves.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        givenName: { required: false, mutable: true },
        familyName: { required: false, mutable: true },
      },
      // Mutable by administrators (AdminUpdateUserAttributes); no app client may write it (WRITABLE_ATTRIBUTES).
      customAttributes: {
        [SITES_ATTRIBUTE.replace(/^custom:/, '')]: new StringAttribute({ maxLen: 2048, mutable: true }),
      },
      // Every role reaches protected health information or statewide data, and Cognito's MFA setting is per
      // pool: TOTP for everyone (no SMS: no SIM-swap, no SMS role).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 12,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus: access token customization (V2_0/V3_0 triggers need Essentials or Plus) and threat protection
      // (compromised credentials, adaptive authentication), enforced.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(this.userPool).add(COMPONENT_TAG, 'sign-in/user-pool');

    // Role and access from the group (shared/auth/token-claims.ts): the lowest precedence wins in Cognito too.
    SIGN_IN_GROUPS.forEach((g, precedence) => {
      new CfnUserPoolGroup(this, `Group${precedence}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: g.group,
        description: g.description,
        precedence,
      });
    });

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: spec.domainPrefix } });

    const tokens = {
      accessTokenValidity: Duration.minutes(spec.accessTokenMinutes),
      idTokenValidity: Duration.minutes(spec.accessTokenMinutes),
      refreshTokenValidity: Duration.hours(spec.refreshTokenHours),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    };

    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'console',
      // A browser application keeps no secret: the code is bound to the console by PKCE (S256).
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [...spec.callbackUrls],
        logoutUrls: [...spec.logoutUrls],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, givenName: true, familyName: true })
        .withCustomAttributes(SITES_ATTRIBUTE.replace(/^custom:/, '')),
      writeAttributes: WRITABLE_ATTRIBUTES,
      ...tokens,
    });

    const apiScope = new ResourceServerScope({
      scopeName: spec.resourceServer.scope,
      scopeDescription: 'Call the dose pipeline API as the sites and access of the client registration',
    });
    this.resourceServer = this.userPool.addResourceServer('ApiResourceServer', {
      identifier: spec.resourceServer.identifier,
      userPoolResourceServerName: spec.resourceServer.identifier,
      scopes: [apiScope],
    });

    const registrations: MachineClientClaims[] = [];
    spec.machineClients.forEach((m, i) => {
      const client = this.userPool.addClient(`MachineClient${i}`, {
        userPoolClientName: m.name,
        generateSecret: true,
        // Client credentials only: no person signs in through a machine client (refresh is the one flow
        // Cognito always lists, and client credentials issue no refresh token).
        authFlows: { userSrp: false },
        oAuth: {
          flows: { clientCredentials: true },
          scopes: [OAuthScope.resourceServer(this.resourceServer, apiScope)],
        },
        supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
        writeAttributes: WRITABLE_ATTRIBUTES,
        ...tokens,
      });
      this.machineClients.push({ name: m.name, client });
      registrations.push({ client_id: client.userPoolClientId, sites: [...m.sites], access: m.access });
    });

    // The trigger, by ARN (see above), with its event version; its invoke permission for this pool only.
    const triggerArn = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: props.triggerName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    (this.userPool.node.defaultChild as CfnUserPool).addPropertyOverride(
      'LambdaConfig.PreTokenGenerationConfig',
      { LambdaArn: triggerArn, LambdaVersion: TOKEN_TRIGGER_VERSION },
    );
    trigger.addPermission('CognitoInvokes', {
      principal: new ServicePrincipal('cognito-idp.amazonaws.com'),
      sourceArn: this.userPool.userPoolArn,
      sourceAccount: stack.account,
    });
    trigger.addEnvironment(TOKEN_CLAIMS_ENV.machineClients, stack.toJsonString(registrations));

    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    this.audiences = [
      this.consoleClient.userPoolClientId,
      ...this.machineClients.map((m) => m.client.userPoolClientId),
    ];
  }

  /**
   * The console's origin once it exists (its CloudFront distribution, made after the API, which needs this pool):
   * Cognito sends people back to its /callback and, after sign-out, to its /; then to the topology's addresses
   * (a custom domain), if any.
   */
  addConsoleOrigin(origin: string): void {
    const client = this.consoleClient.node.defaultChild as CfnUserPoolClient;
    client.callbackUrLs = [`${origin}/callback`, ...this.spec.callbackUrls];
    client.logoutUrLs = [`${origin}/`, ...this.spec.logoutUrls];
  }
}
