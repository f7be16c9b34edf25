/**
 * IAM enforced in the local runtime (issue 12): a grant taken out of the synthesized policy fails the call that
 * needs it with AWS's AccessDenied, naming the action and resource. (One runtime per file: the handlers' SDK
 * clients are module singletons bound to the first runtime's endpoints.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalIamPolicies, PolicyStatement } from '../../local/iam/index.ts';
import { startLocalRuntime } from '../../local/runtime.ts';
import { intakeOnly } from '../../local/topologies.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { doseFile } from '../fixtures/files.ts';
import {
  ADMIN_KEY,
  type Client,
  client,
  dropFile,
  enroll,
  type Runtime,
  until,
  versionedNotification,
} from './harness.ts';

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The function's statements with `actions` removed wherever `resource` matches one of theirs. */
function withoutActions(
  policies: LocalIamPolicies,
  fn: string,
  actions: string[],
  onResource: (resource: string) => boolean,
): void {
  const statements: PolicyStatement[] = [];
  for (const s of policies.functions[fn]!.statements) {
    const resources = asArray(s.Resource);
    const kept = asArray(s.Action).filter((a) => !(actions.includes(a) && resources.some(onResource)));
    if (kept.length > 0) statements.push({ ...s, Action: kept });
  }
  policies.functions[fn]!.statements = statements;
}

async function start(editPolicies: (p: LocalIamPolicies) => void): Promise<Runtime> {
  return startLocalRuntime({
    topology: intakeOnly(),
    port: 0,
    schedules: false,
    sqs: { waitTimeSeconds: 1 },
    iam: {
      editPolicies: (p) => {
        editPolicies(p);
        return p;
      },
    },
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    logger: (line) => {
      if (line.includes('IAM')) console.log(line);
    },
  });
}

describe('with grants taken out of the synthesized policies', () => {
  let rt: Runtime;
  let api: Client;
  let site: { iis_id: string; api_key: string };
  beforeAll(async () => {
    rt = await start((p) => {
      // The planner as before 247770f: no s3:GetObjectVersion on the dropped files.
      withoutActions(p, 'ingestPlanner', ['s3:GetObjectVersion'], () => true);
      // The doses API without writes to the doses table.
      withoutActions(
        p,
        'doses',
        ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'],
        (r) => r.endsWith(':table/doses'),
      );
    });
    api = client(rt);
    site = await enroll(api);
  });
  afterAll(async () => rt?.stop());

  it('a dropped file fails in the planner with AccessDenied naming s3:GetObjectVersion and the object', async () => {
    // The drop bucket is versioned in AWS, so S3's notification names the new version and the planner reads that
    // version. fauxqs keeps no versions (its notifications name none), so the event AWS would send is sent here.
    const uploadId = await dropFile(api, site.api_key, 'denied.tsv', doseFile(['valid'], 'cvrs', 'IAMNO'));
    const upload = await until('the upload to be known', async () => {
      const res = await api.call('GET', `/v1/uploads/${uploadId}`, { key: site.api_key });
      return res.json.status === 'completed' ? res.json : undefined;
    });
    const key = `incoming/${site.iis_id}/${upload.name}`;
    await versionedNotification(rt, key);
    const denial = await until('the planner to be denied', () =>
      rt.iam!.denials.find((d) => d.functionName === 'ingestPlanner'),
    );
    expect(denial).toMatchObject({
      error: 'AccessDenied',
      action: 's3:GetObjectVersion',
      operation: 'S3Client.HeadObjectCommand',
      resource: `arn:aws:s3:::drop/${key}`,
    });
    expect(denial.message).toMatch(
      /^User: arn:aws:sts::000000000000:assumed-role\/Pipeline-IngestPlannerFunctionRole\w+\/ingestPlanner is not authorized to perform: s3:GetObjectVersion on resource: arn:aws:s3:::drop\/incoming\/.+ because no identity-based policy allows the s3:GetObjectVersion action$/,
    );
  });

  it('a dose the doses API cannot write answers an error, and the denial names the table write', async () => {
    const posted = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'IAM-NO-1' }),
    });
    expect(posted.status).toBeGreaterThanOrEqual(500);
    const denial = rt.iam!.denials.find((d) => d.functionName === 'doses');
    expect(denial).toMatchObject({
      error: 'AccessDeniedException',
      resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/doses',
    });
    expect(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem']).toContain(denial!.action);
    // Reads are still granted: the authorizer and the sites table work, and nothing else was denied.
    expect(rt.iam!.denials.every((d) => ['doses', 'ingestPlanner'].includes(d.functionName))).toBe(true);
  });
});
