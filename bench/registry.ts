/**
 * Registry throughput at a cap: N stored doses' change messages through the registry reporter (its SQS trigger
 * as the topology sets it: batches of 10, 2 invocations at once) to the CAIR2 stand-in answering each request
 * after 200 ms, with CAIR2's `maxConcurrent` set to `cap` for this process. Doses/s from the first message sent
 * to the last dose answered; every dose must be received once and its answer recorded. Prints one JSON line.
 *   node bench/registry.ts <doses> <cap>
 */
import { BatchWriteItemCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { normalizeDose } from '#doses/normalize.ts';
import { toMessage } from '#doses/outbox/outbox.ts';
import { type DoseVersion, toItem } from '#doses/store.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { REGISTRIES } from '#registry/config.ts';
import type { Site } from '#sites/site.ts';
import { createSite } from '#sites/store.ts';
import { topology } from '../infra/topology.ts';
import { demoSite, modernaDose } from '../local/demo.ts';
import type { LocalTopology } from '../local/runtime.ts';
import { startLocalRuntime } from '../local/runtime.ts';

const [doses, cap] = process.argv.slice(2).map(Number) as [number, number];
REGISTRIES.CAIR2!.maxConcurrent = cap;
const { registryReporter } = topology.functions;
const rt = await startLocalRuntime({
  topology: { ...topology, functions: { registryReporter } } as unknown as LocalTopology,
  port: 0,
  schedules: false,
  clearinghouse: false,
  oidc: false,
  sqs: { waitTimeSeconds: 1 },
  extraEnv: { ADMIN_KEY: 'bench', POWERTOOLS_LOG_LEVEL: 'ERROR' },
  logger: () => {},
});
const cair2 = rt.registries.CAIR2!;
cair2.faults.set({ latencyMs: 200 });

const now = new Date();
const site = { ...demoSite, iis_id: 'REGBENCH', enrolled_at: now.toISOString() } as unknown as Site;
await createSite(site);
const base = normalizeDose(modernaDose()).dose;
const versions: DoseVersion[] = Array.from({ length: doses }, (_, i) => ({
  iis_id: site.iis_id,
  vax_event_id: `REG-${i}`,
  version: 1,
  action: 'A',
  content_hash: `h${i}`,
  dose: { ...base, iis_id: site.iis_id, vax_event_id: `REG-${i}`, recip_id: `R-${i}` },
  findings: [],
  stored_at: now.toISOString(),
  submitted_by: site.iis_id,
  registry: 'CAIR2',
}));
const dynamo = new DynamoDBClient({});
const table = rt.env.DOSES_TABLE!;
const chunks = <T>(xs: T[], n: number) =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
await mapLimit(chunks(versions, 25), 8, (group) =>
  dynamo.send(
    new BatchWriteItemCommand({
      RequestItems: { [table]: group.map((v) => ({ PutRequest: { Item: toItem(v) } })) },
    }),
  ),
);

const sqs = new SQSClient({});
const t0 = performance.now();
await mapLimit(chunks(versions, 10), 8, (group) =>
  sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: rt.env.REGISTRY_QUEUE_URL!,
      Entries: group.map((v, j) => ({ Id: String(j), MessageBody: JSON.stringify(toMessage(v)) })),
    }),
  ),
);
let answered = 0;
for (;;) {
  answered = cair2.received().length;
  const depth = (await rt.queueDepths()).find((q) => q.queue === 'registry-changes')!;
  if (answered >= doses && depth.visible + depth.inFlight === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const seconds = (performance.now() - t0) / 1000;
// Each dose's answer is recorded on its version.
let recorded = 0;
await mapLimit(versions, 16, async (v) => {
  const res = await dynamo.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :p AND sk = :s',
      ExpressionAttributeValues: {
        ':p': { S: `DOSE#${v.iis_id}#${v.vax_event_id}` },
        ':s': { S: 'V#000001' },
      },
    }),
  );
  if (res.Items?.[0]?.registry_status?.S) recorded++;
});
console.log(
  JSON.stringify({ doses, cap, seconds, dosesPerSecond: doses / seconds, received: answered, recorded }),
);
await rt.stop();
