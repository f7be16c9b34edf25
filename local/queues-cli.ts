/**
 * Prints the depth of every queue and DLQ of a running local stack.
 * Usage: node local/queues-cli.ts [dataDir]   (default: $DATA_DIR or .data, as npm start)
 * The stack is found through `${dataDir}/endpoints.json`, which startLocalRuntime writes while it runs.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig } from './clients.ts';
import { processAlive, queueDepths, readEndpointsFile } from './endpoints.ts';

async function main(): Promise<number> {
  const dataDir = process.argv[2] ?? process.env.DATA_DIR ?? '.data';
  const file = readEndpointsFile(dataDir);
  if (!file || !processAlive(file.pid)) {
    console.error(`No local stack is running for ${dataDir} (no live ${dataDir}/endpoints.json).`);
    return 1;
  }
  const sqs = new SQSClient({ ...localClientConfig(file.endpoints.sqs), useQueueUrlAsEndpoint: false });
  try {
    const rows = await queueDepths(sqs, file.queues);
    const width = Math.max(5, ...rows.map((r) => r.queue.length));
    console.log(
      `${'queue'.padEnd(width)}  ${'visible'.padStart(8)} ${'inFlight'.padStart(8)} ${'delayed'.padStart(8)}`,
    );
    for (const r of rows) {
      console.log(
        `${r.queue.padEnd(width)}  ${String(r.visible).padStart(8)} ${String(r.inFlight).padStart(8)} ${String(r.delayed).padStart(8)}`,
      );
    }
    const dead = rows.filter((r) => r.dlq && r.visible + r.inFlight > 0);
    if (dead.length)
      console.log(
        `\nMessages in DLQ: ${dead.map((r) => `${r.queue} (${r.visible + r.inFlight})`).join(', ')}`,
      );
    return 0;
  } catch (err) {
    console.error(
      `Could not read queue depths from ${file.endpoints.sqs}: ${(err as Error).name}: ${(err as Error).message}`,
    );
    return 1;
  } finally {
    sqs.destroy();
  }
}

process.exitCode = await main();
