/**
 * Invoking a pipeline function the same way locally and in AWS: through the Lambda Invoke API, of the local
 * stack of npm start (its endpoints.json) by default, or of a deployed function named with --function.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { localClientConfig } from '../../local/clients.ts';
import { CommandError, dataDir, type Io, runningStack, UsageError } from './cli.ts';

export type Invoked<T> = { ok: true; answer: T } | { ok: false; error: string };

export async function invokeFunction<T>(
  localName: string,
  deployed: string | undefined,
  payload: unknown,
  io: Io,
): Promise<Invoked<T>> {
  let client: LambdaClient;
  let functionName = localName;
  let where = 'AWS';
  if (deployed !== undefined) {
    if (!deployed.trim()) throw new UsageError('--function needs the function name or ARN.');
    client = new LambdaClient({});
    functionName = deployed.trim();
  } else {
    const dir = dataDir(io.env);
    const stack = runningStack(dir);
    if (!stack?.endpoints.lambda)
      throw new CommandError(
        `No local pipeline is running for ${dir} (no live endpoints.json). Start it with npm start, or give --function <name> for a deployed one.`,
      );
    client = new LambdaClient(localClientConfig(stack.endpoints.lambda));
    where = stack.endpoints.lambda;
  }
  try {
    const res = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const answer = JSON.parse(new TextDecoder().decode(res.Payload ?? new Uint8Array()) || 'null') as
      | T
      | { errorType?: string; errorMessage?: string };
    if (res.FunctionError) {
      const e = answer as { errorType?: string; errorMessage?: string };
      return { ok: false, error: `${e.errorType ?? res.FunctionError}: ${e.errorMessage ?? ''}` };
    }
    return { ok: true, answer: answer as T };
  } catch (err) {
    const e = err as Error;
    throw new CommandError(`Could not invoke ${functionName} (${where}): ${e.name}: ${e.message}`);
  } finally {
    client.destroy();
  }
}
