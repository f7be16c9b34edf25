import { getSecret } from '#platform/aws/secrets.ts';
import { SECRET_ENV } from '#platform/env-names.ts';
import type { Uploader } from '../report-day.ts';
import { ClearinghouseClient } from './client.ts';
import { parseClearinghouseConfig } from './config.ts';

let client: { secret: string; uploader: ClearinghouseClient } | undefined;

/** The client is kept while the secret is unchanged, so its token is reused across files and runs. */
export async function clearinghouseUploader(): Promise<Uploader> {
  const secret = await getSecret(SECRET_ENV.cdcClearinghouse);
  if (client?.secret !== secret)
    client = { secret, uploader: new ClearinghouseClient(parseClearinghouseConfig(secret)) };
  return client.uploader;
}
