/**
 * IAM enforced in the local runtime (issue 12): the stack's grants, as `cdk synth` gives them, are what every
 * function's AWS calls are checked against. The flows work with today's grants; a grant taken out of the
 * synthesized policy fails the call that needs it (test/integration/iam-denied.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../local/runtime.ts';
import { intakeOnly } from '../../local/topologies.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { doseFile } from '../fixtures/files.ts';
import {
  ADMIN_KEY,
  type Client,
  client,
  drained,
  dropFile,
  enroll,
  type Runtime,
  until,
  versionedNotification,
} from './harness.ts';

async function start(): Promise<Runtime> {
  return startLocalRuntime({
    topology: intakeOnly(),
    port: 0,
    schedules: false,
    sqs: { waitTimeSeconds: 1 },
    iam: true,
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    logger: (line) => {
      if (line.includes('IAM') || line.includes('failed')) console.log(line);
    },
  });
}

describe('with the grants cdk synth gives today', () => {
  let rt: Runtime;
  let api: Client;
  let site: { iis_id: string; api_key: string };
  beforeAll(async () => {
    rt = await start();
    api = client(rt);
    site = await enroll(api);
  });
  afterAll(async () => rt?.stop());

  it('a dose is stored and read back, and a dropped file completes, with no call denied', async () => {
    const posted = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'IAM-OK-1' }),
    });
    expect(posted.status).toBe(200);
    expect((await api.call('GET', '/v1/doses/IAM-OK-1', { key: site.api_key })).status).toBe(200);

    const uploadId = await dropFile(
      api,
      site.api_key,
      'iam ok.tsv',
      doseFile(['valid', 'valid', 'invalid'], 'cvrs', 'IAMOK'),
    );
    const done = await until('the upload to finish', async () => {
      const res = await api.call('GET', `/v1/uploads/${uploadId}`, { key: site.api_key });
      return ['completed', 'failed'].includes(res.json.status) ? res.json : undefined;
    });
    expect(done.status).toBe('completed');
    // The results link is a presigned GET of the exact version (s3:GetObjectVersion on results/): it opens.
    expect((await fetch(done.results_url)).status).toBe(200);
    expect(rt.iam!.denials).toEqual([]);

    // The event AWS sends for the versioned bucket names the version: the planner's read of it is granted.
    await versionedNotification(rt, `incoming/${site.iis_id}/${done.name}`);
    await drained(rt, 'ingest-files');
    expect(rt.iam!.denials).toEqual([]);
  });
});
