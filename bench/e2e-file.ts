/**
 * End to end on the local pipeline, in its own process: enroll a site, drop a generated CVRS file with a
 * known mix through the API and S3, wait for the results. Prints one JSON line: seconds, summary, expected.
 *   node bench/e2e-file.ts <rows>
 */
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLocalRuntime } from '../local/runtime.ts';
import { intakeOnly } from '../local/topologies.ts';
import { doseFile, expectedCounts, mixedKinds } from '../test/fixtures/files.ts';

const rows = Number(process.argv[2] ?? 20_000);
const adminKey = 'bench-admin-key';
const rt = await startLocalRuntime({
  topology: intakeOnly(),
  port: 0,
  schedules: false,
  sqs: { waitTimeSeconds: 1 },
  extraEnv: { ADMIN_KEY: adminKey, POWERTOOLS_LOG_LEVEL: 'ERROR' },
});
const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
const enrolled = (await (
  await fetch(`${rt.apiUrl}/v1/sites`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({
      iis_id: 'BENCH1',
      admin_name: 'Bench Clinic',
      admin_type: 1,
      admin_address_county: '06001',
      admin_address_state: 'CA',
      responsible_org: 'Bench',
    }),
  })
).json()) as { api_key: string };
const kinds = mixedKinds(rows);
const body = doseFile(kinds, 'cvrs', 'B');
const site = { authorization: `Bearer ${enrolled.api_key}`, 'content-type': 'application/json' };
const t0 = performance.now();
const start = (await (
  await fetch(`${rt.apiUrl}/v1/uploads`, {
    method: 'POST',
    headers: site,
    body: JSON.stringify({ name: 'bench.tsv' }),
  })
).json()) as { upload_id: string; url: string; headers: Record<string, string> };
await fetch(start.url, { method: 'PUT', headers: start.headers, body });
let upload: { status: string; summary: Record<string, unknown>; rows_processed: number };
for (;;) {
  upload = (await (
    await fetch(`${rt.apiUrl}/v1/uploads/${start.upload_id}`, { headers: site })
  ).json()) as typeof upload;
  if (upload.status === 'completed' || upload.status === 'failed') break;
  await new Promise((r) => setTimeout(r, 500));
}
const seconds = (performance.now() - t0) / 1000;
// What reached storage and the queues: exactly the valid rows, once each (dose versions only, not intents).
const dynamo = new DynamoDBClient({});
let stored = 0;
let startKey: Record<string, AttributeValue> | undefined;
do {
  const page = await dynamo.send(
    new ScanCommand({
      TableName: rt.env.DOSES_TABLE,
      Select: 'COUNT',
      FilterExpression: 'begins_with(pk, :d)',
      ExpressionAttributeValues: { ':d': { S: 'DOSE#' } },
      ExclusiveStartKey: startKey,
    }),
  );
  stored += page.Count ?? 0;
  startKey = page.LastEvaluatedKey;
} while (startKey);
const depths = Object.fromEntries(
  (await rt.queueDepths()).map((q) => [q.queue, q.visible + q.inFlight + q.delayed]),
);
const resultsUrl = (upload as unknown as { results_url: string }).results_url;
let resultLines = -1;
for await (const piece of (await fetch(resultsUrl)).body!)
  resultLines += Buffer.from(piece).toString().split('\n').length - 1;
const expected = expectedCounts(kinds);
const report = {
  rows,
  seconds,
  bytes: Buffer.byteLength(body),
  summary: upload.summary,
  expected,
  resultLines,
  stored,
  registryMessages: depths['registry-changes'],
  cdcMessages: depths['cdc-changes'],
};
console.log(JSON.stringify(report));
const ok =
  (['rows', 'accepted', 'rejected', 'duplicates'] as const).every((k) => upload.summary[k] === expected[k]) &&
  resultLines === rows &&
  stored === expected.accepted &&
  report.registryMessages === stored &&
  report.cdcMessages === stored;
if (!ok) process.exitCode = 1;
await rt.stop();
