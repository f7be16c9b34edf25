import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let client: SecretsManagerClient | undefined;
const cache = new Map<string, { value: string; expires: number }>();
const TTL_MS = 5 * 60_000;

/**
 * A secret by its topology env var: in AWS the function gets `${envVar}_SECRET_ARN` and reads Secrets Manager
 * (cached for five minutes so a rotation takes effect without a redeploy); locally, where no Secrets Manager
 * stand-in exists, the runtime sets `${envVar}` to the value itself.
 */
export async function getSecret(envVar: string, now = Date.now()): Promise<string> {
  const arn = process.env[`${envVar}_SECRET_ARN`];
  if (!arn) {
    const direct = process.env[envVar];
    if (!direct) throw new Error(`Secret ${envVar} is not configured`);
    return direct;
  }
  const hit = cache.get(arn);
  if (hit && hit.expires > now) return hit.value;
  client ??= new SecretsManagerClient({});
  const res = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!res.SecretString) throw new Error(`Secret ${envVar} has no string value`);
  cache.set(arn, { value: res.SecretString, expires: now + TTL_MS });
  return res.SecretString;
}
