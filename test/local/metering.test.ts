import { describe, expect, it } from 'vitest';
import {
  indexWriteUnits,
  itemSize,
  updatedAttributes,
  writeUnits,
} from '../../local/metering/dynamodb-units.ts';
import { createMeter } from '../../local/metering/meter.ts';

const caller = { functionName: 'doses' };
const indexes = { doses: [{ partitionKey: 'recip_key', sortKey: 'admin_date' }, { partitionKey: 'day' }] };

describe('DynamoDB units from item sizes', () => {
  it('counts names and values in UTF-8 bytes, numbers by digits', () => {
    expect(itemSize({ pk: { S: 'abc' } })).toBe(5);
    expect(itemSize({ né: { S: 'é' } })).toBe(5);
    expect(itemSize({ n: { N: '123' } })).toBe(4);
    expect(itemSize({ ok: { BOOL: true }, q: { SS: ['a', 'bc'] } })).toBe(3 + 1 + 3);
  });

  it('bills a write per started KB, at least one, and once more per index the item is in', () => {
    const big = { pk: { S: 'x'.repeat(1500) }, recip_key: { S: 'r' }, admin_date: { S: '2021-03-10' } };
    expect(writeUnits({ pk: { S: 'a' } })).toBe(1);
    expect(writeUnits(big)).toBe(2);
    expect(indexWriteUnits(big, indexes.doses)).toBe(2);
    expect(indexWriteUnits({ ...big, day: { S: 'd' } }, indexes.doses)).toBe(4);
    expect(indexWriteUnits({ pk: { S: 'a' }, recip_key: { S: 'r' } }, indexes.doses)).toBe(0);
  });
});

describe('an index that holds a few attributes', () => {
  const byRecipient = {
    partitionKey: 'recip_key',
    sortKey: 'admin_date',
    projected: ['pk', 'sk', 'recip_key', 'admin_date', 'cvx'],
  };
  const version = {
    pk: { S: 'DOSE#A#1' },
    sk: { S: 'V#000001' },
    recip_key: { S: 'A#R1' },
    admin_date: { S: '2021-03-10' },
    cvx: { S: '207' },
    dose: { S: 'x'.repeat(1500) },
  };

  it('costs a copy of what it holds, and nothing for an update of attributes it does not hold', () => {
    expect(indexWriteUnits(version, [byRecipient])).toBe(1);
    expect(indexWriteUnits(version, [byRecipient], new Set(['registry_status', 'registry_outcome']))).toBe(0);
    expect(indexWriteUnits(version, [byRecipient], new Set(['cvx']))).toBe(1);
    // An index of every attribute is written by any update, the whole item.
    expect(indexWriteUnits(version, [{ partitionKey: 'recip_key' }], new Set(['registry_status']))).toBe(2);
  });

  it('reads the attributes an update writes from its expression', () => {
    expect([
      ...updatedAttributes('SET registry_status = :s, #o = :o REMOVE lock_owner', {
        '#o': 'registry_outcome',
      }),
    ]).toEqual(['registry_status', 'registry_outcome', 'lock_owner']);
    expect([...updatedAttributes('ADD failures :one')]).toEqual(['failures']);
  });
});

describe('meter', () => {
  it('adds index writes to what the stand-in reports and hides the capacity it asked for', async () => {
    const meter = createMeter({ indexesByTable: indexes });
    const item = { pk: { S: 'a' }, recip_key: { S: 'r' }, admin_date: { S: '2021-03-10' } };
    let sent: Record<string, unknown> = {};
    const result = (await meter.around(
      caller,
      { client: 'DynamoDBClient', command: 'PutItemCommand', input: { TableName: 'doses', Item: item } },
      async (input) => {
        sent = input;
        return { output: { ConsumedCapacity: { CapacityUnits: 1, TableName: 'doses' } }, response: {} };
      },
    )) as { output: Record<string, unknown> };
    expect(sent.ReturnConsumedCapacity).toBe('TOTAL');
    expect(result.output.ConsumedCapacity).toBeUndefined();
    expect(meter.snapshot().calls.doses!['DynamoDB.PutItem']).toEqual({
      calls: 1,
      billed: 1,
      rru: 0,
      wru: 2,
    });
  });

  it('bills a failed condition by the existing item and lets the error through', async () => {
    const meter = createMeter({ indexesByTable: indexes });
    const err = Object.assign(new Error('failed'), {
      name: 'ConditionalCheckFailedException',
      Item: { pk: { S: 'x'.repeat(2100) } },
    });
    await expect(
      meter.around(
        caller,
        { client: 'DynamoDBClient', command: 'PutItemCommand', input: { TableName: 'doses', Item: {} } },
        async () => {
          throw err;
        },
      ),
    ).rejects.toBe(err);
    expect(meter.snapshot().calls.doses!['DynamoDB.PutItem']!.wru).toBe(3);
  });

  it('bills SQS per 64 KB of payload and tells an empty long poll apart', async () => {
    const meter = createMeter({ indexesByTable: {} });
    const body = 'x'.repeat(40 * 1024);
    await meter.around(
      caller,
      {
        client: 'SQSClient',
        command: 'SendMessageBatchCommand',
        input: { Entries: [{ MessageBody: body }, { MessageBody: body }] },
      },
      async () => ({ output: {} }),
    );
    await meter.around(
      { functionName: 'cdcStager', via: 'SQS event source mapping' },
      { client: 'SQSClient', command: 'ReceiveMessageCommand', input: {} },
      async () => ({ output: { Messages: [] } }),
    );
    const snap = meter.snapshot();
    expect(snap.calls.doses!['SQS.SendMessageBatch']).toMatchObject({ calls: 1, billed: 2 });
    expect(snap.calls['cdcStager (SQS event source mapping)']!['SQS.ReceiveMessage (empty)']!.calls).toBe(1);
  });

  it('counts invocations by billed milliseconds and GB-seconds, and API requests per 512 KB', () => {
    const meter = createMeter({ indexesByTable: {} });
    meter.invocation('doses', 1024, 99.2);
    meter.invocation('doses', 1024, 0.3);
    meter.apiRequest(600 * 1024);
    const snap = meter.snapshot();
    expect(snap.functions.doses).toMatchObject({ invocations: 2, billedMs: 101 });
    expect(snap.functions.doses!.gbSeconds).toBeCloseTo(0.101);
    expect(snap.api).toEqual({ requests: 1, billed: 2 });
    meter.reset();
    expect(meter.snapshot().api.requests).toBe(0);
  });
});
