/**
 * Metering for the bench's cost model (bench/cost/): what each function did, in AWS's billing units, counted
 * where the local runtime already sees every call go by: invocations and their durations (local/lambda.ts), HTTP
 * API requests (local/triggers/http-api.ts), bytes logged inside an invocation, and each AWS SDK call a function
 * or its SQS event source mapping makes (the SDK hook of local/iam/enforce.ts): DynamoDB read and write units
 * (./dynamodb-units.ts), SQS requests in 64 KB chunks, S3 requests and the bytes they store. Off unless a
 * runtime is given a meter; nothing here changes what a handler sees.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SdkCall } from '../iam/actions.ts';
import type { IamCaller, SdkMeter } from '../iam/scope.ts';
import {
  type IndexKey,
  indexWriteUnits,
  READS,
  reportedUnits,
  updatedAttributes,
  writeUnits,
} from './dynamodb-units.ts';

export interface CallTally {
  calls: number;
  /** Requests as billed: SQS counts each 64 KB of payload as a request; the others one per call. */
  billed: number;
  rru: number;
  wru: number;
}

export interface FunctionTally {
  invocations: number;
  /** Lambda bills each invocation's duration rounded up to the millisecond. */
  billedMs: number;
  gbSeconds: number;
  logBytes: number;
}

export interface MeterSnapshot {
  functions: Record<string, FunctionTally>;
  /** `<function>` or `<function> (<via>)` → `<Service>.<Operation>` → tally. */
  calls: Record<string, Record<string, CallTally>>;
  /** HTTP API requests, and as billed (one per 512 KB of request). */
  api: { requests: number; billed: number };
  /** Bytes written to S3, by `<bucket>/<first key segment>/`. */
  stored: Record<string, number>;
}

export interface Meter extends SdkMeter {
  invocation(functionName: string, memoryMb: number, ms: number): void;
  apiRequest(bytes: number): void;
  logged(functionName: string, bytes: number): void;
  /** A request no function makes (a site's PUT to a presigned URL, its GET of a results file). */
  external(who: string, operation: string, storedAt?: string, bytes?: number): void;
  snapshot(): MeterSnapshot;
  reset(): void;
}

export interface MeterOptions {
  /** Each table's global secondary indexes, by the table's name as provisioned. */
  indexesByTable: Record<string, readonly IndexKey[]>;
}

const SERVICE: Record<string, string> = {
  DynamoDBClient: 'DynamoDB',
  SQSClient: 'SQS',
  S3Client: 'S3',
  SecretsManagerClient: 'SecretsManager',
};
const SQS_CHUNK = 64 * 1024;
const API_CHUNK = 512 * 1024;

type Item = Record<string, AttributeValue>;

const bytesOf = (body: unknown): number | undefined =>
  typeof body === 'string'
    ? Buffer.byteLength(body)
    : body instanceof Uint8Array
      ? body.byteLength
      : undefined;

export function createMeter(options: MeterOptions): Meter {
  let snap: MeterSnapshot = empty();

  const tally = (who: string, operation: string): CallTally => {
    snap.calls[who] ??= {};
    snap.calls[who][operation] ??= { calls: 0, billed: 0, rru: 0, wru: 0 };
    return snap.calls[who][operation];
  };
  const fnTally = (name: string): FunctionTally => {
    snap.functions[name] ??= { invocations: 0, billedMs: 0, gbSeconds: 0, logBytes: 0 };
    return snap.functions[name];
  };
  const store = (bucket: unknown, key: unknown, bytes: number | undefined) => {
    if (typeof bucket !== 'string' || typeof key !== 'string' || bytes === undefined) return;
    const where = `${bucket}/${key.split('/')[0]}/`;
    snap.stored[where] = (snap.stored[where] ?? 0) + bytes;
  };

  async function dynamodb(
    t: CallTally,
    call: SdkCall,
    send: (i: Record<string, unknown>) => Promise<unknown>,
  ) {
    const input = { ...call.input };
    const askedCapacity = input.ReturnConsumedCapacity !== undefined;
    input.ReturnConsumedCapacity ??= 'TOTAL';
    // The item after an update decides which indexes it is written to.
    const askedValues = input.ReturnValues !== undefined;
    if (call.command === 'UpdateItemCommand') input.ReturnValues ??= 'ALL_NEW';
    const indexes = options.indexesByTable[String(input.TableName)] ?? [];
    let result: { output: Record<string, unknown> };
    try {
      result = (await send(input)) as typeof result;
    } catch (err) {
      // A failed condition still costs the existing item's size (at least 1 WRU).
      if ((err as Error).name === 'ConditionalCheckFailedException')
        t.wru += writeUnits((err as { Item?: Item }).Item);
      throw err;
    }
    const out = result.output;
    const units = reportedUnits(out.ConsumedCapacity);
    if (READS.has(call.command)) t.rru += units;
    else t.wru += units;
    if (call.command === 'PutItemCommand') t.wru += indexWriteUnits(input.Item as Item, indexes);
    if (call.command === 'UpdateItemCommand' && input.ReturnValues === 'ALL_NEW')
      t.wru += indexWriteUnits(
        out.Attributes as Item | undefined,
        indexes,
        updatedAttributes(
          String(input.UpdateExpression ?? ''),
          input.ExpressionAttributeNames as Record<string, string>,
        ),
      );
    if (call.command === 'BatchWriteItemCommand')
      for (const [table, requests] of Object.entries(
        input.RequestItems as Record<string, { PutRequest?: { Item: Item } }[]>,
      ))
        for (const r of requests)
          t.wru += indexWriteUnits(r.PutRequest?.Item, options.indexesByTable[table] ?? []);
    const shown = { ...out };
    if (!askedCapacity) delete shown.ConsumedCapacity;
    if (!askedValues && call.command === 'UpdateItemCommand') delete shown.Attributes;
    return { ...result, output: shown };
  }

  return {
    async around(caller: IamCaller, call: SdkCall, send) {
      const service = SERVICE[call.client] ?? call.client.replace(/Client$/, '');
      const operation = call.command.replace(/Command$/, '');
      const who = caller.via ? `${caller.functionName} (${caller.via})` : caller.functionName;
      if (service === 'DynamoDB') {
        const t = tally(who, `${service}.${operation}`);
        t.calls++;
        t.billed++;
        return dynamodb(t, call, send);
      }
      const result = (await send(call.input)) as { output: Record<string, unknown> };
      const out = result.output;
      let op = operation;
      let billed = 1;
      if (service === 'SQS') {
        const bodies =
          operation === 'SendMessageBatch'
            ? (call.input.Entries as { MessageBody?: string }[]).map((e) => e.MessageBody)
            : operation === 'SendMessage'
              ? [call.input.MessageBody as string]
              : operation === 'ReceiveMessage'
                ? ((out.Messages ?? []) as { Body?: string }[]).map((m) => m.Body)
                : [];
        const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b ?? ''), 0);
        billed = Math.max(1, Math.ceil(bytes / SQS_CHUNK));
        // An empty long poll is the mapping idling: it costs by the hour, not by the dose (bench/cost/model.ts).
        if (operation === 'ReceiveMessage' && bodies.length === 0) op = 'ReceiveMessage (empty)';
      }
      if (service === 'S3' && (operation === 'PutObject' || operation === 'UploadPart'))
        store(call.input.Bucket, call.input.Key, bytesOf(call.input.Body));
      const t = tally(who, `${service}.${op}`);
      t.calls++;
      t.billed += billed;
      return result;
    },
    invocation(name, memoryMb, ms) {
      const f = fnTally(name);
      const billedMs = Math.max(1, Math.ceil(ms));
      f.invocations++;
      f.billedMs += billedMs;
      f.gbSeconds += (billedMs / 1000) * (memoryMb / 1024);
    },
    apiRequest(bytes) {
      snap.api.requests++;
      snap.api.billed += Math.max(1, Math.ceil(bytes / API_CHUNK));
    },
    logged(name, bytes) {
      fnTally(name).logBytes += bytes;
    },
    external(who, operation, storedAt, bytes) {
      const t = tally(who, operation);
      t.calls++;
      t.billed++;
      if (storedAt && bytes !== undefined) snap.stored[storedAt] = (snap.stored[storedAt] ?? 0) + bytes;
    },
    snapshot: () => structuredClone(snap),
    reset() {
      snap = empty();
    },
  };
}

const empty = (): MeterSnapshot => ({
  functions: {},
  calls: {},
  api: { requests: 0, billed: 0 },
  stored: {},
});
