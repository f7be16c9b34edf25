import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rejection, rejectionsOn } from '#analytics/rejections.ts';
import { buildVxu, cairFacilities } from '#codecs/hl7/index.ts';
import { buildSubmitSingleMessageRequest, soapContentType } from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { parseIncomingKey } from '#files/keys.ts';
import { planUpload } from '#files/plan-upload.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { localDate } from '#platform/dates.ts';
import { dayParts } from '#platform/store/shards.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { doseFile } from '../fixtures/files.ts';
import { type Client, client, enroll, type Runtime, startManualIngest } from './harness.ts';

/**
 * Issue 15: every dose an intake path rejects is in the rejections log once, however often the request, chunk or
 * message is retried, and the log holds no dose content. Through the functions with IAM enforced (the analytics
 * grants of the doses API, the files worker and SOAP intake); the ingest worker is invoked by hand, so a chunk can
 * be delivered again after it recorded its rejections.
 */

let rt: Runtime;
let api: Client;
const s3 = new S3Client({});

beforeAll(async () => {
  rt = await startManualIngest(50);
  api = client(rt);
});
afterAll(async () => rt?.stop());

const today = () => localDate(new Date());
const ofSource = async (prefix: string): Promise<Rejection[]> =>
  (await rejectionsOn(today())).filter((r) => r.source.startsWith(prefix));

/** The stored items of today as DynamoDB holds them, to look for dose content. */
async function storedJson(): Promise<string> {
  const parts = await Promise.all(
    dayParts(today()).map((p) =>
      dynamodb.send(
        new QueryCommand({
          TableName: rt.env.ANALYTICS_TABLE!,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `REJECTED#${p}` } },
        }),
      ),
    ),
  );
  return JSON.stringify(parts.flatMap((p) => p.Items ?? []));
}

/** A recipient whose name, date of birth and address must never reach the log. */
const PHI = {
  recip_first_name: 'Quintessa',
  recip_last_name: 'Zwirblewski',
  recip_dob: '1957-11-03',
  recip_address_street: '4471 Marigold Lane',
};
const phiFree = (json: string) => {
  for (const v of Object.values(PHI)) expect(json).not.toContain(v);
};

const noDenials = () =>
  expect(rt.iam?.denials.filter((d) => JSON.stringify(d).includes('analytics'))).toEqual([]);

describe('rejections log', () => {
  it('records a rejected API dose once when the same request is sent again; not accepted doses or exact repeats', async () => {
    const site = await enroll(api);
    const body = {
      doses: [
        modernaDose({ ...PHI, vax_event_id: 'REJ-API-OK' }),
        // Administered before birth: BUSR005.
        modernaDose({ ...PHI, vax_event_id: 'REJ-API-BAD', admin_date: '1950-01-01' }),
      ],
    };
    const first = await api.call('POST', '/v1/doses', { key: site.api_key, body });
    const again = await api.call('POST', '/v1/doses', { key: site.api_key, body });
    expect(first.status).toBe(200);
    expect(first.json.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'rejected']);
    expect(again.json.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'rejected']);
    // The answer is what it was before the log existed.
    expect(again.json.results[1]).toEqual(first.json.results[1]);

    const mine = (await rejectionsOn(today())).filter((r) => r.sender === site.iis_id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      iis_id: site.iis_id,
      sender: site.iis_id,
      admin_date: '1950-01-01',
      action: 'A',
    });
    expect(mine[0]!.source).toMatch(/^api:/);
    expect(mine[0]!.findings).toContainEqual({ code: 'BUSR005', severity: 'error' });

    // A conflicting repeat of the stored dose is a rejection (DQ017); an exact repeat is not.
    const conflict = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ ...PHI, vax_event_id: 'REJ-API-OK', lot_number: 'OTHER1' }),
    });
    expect(conflict.json.results[0].status).toBe('rejected');
    const after = (await rejectionsOn(today())).filter((r) => r.sender === site.iis_id);
    expect(after).toHaveLength(2);
    expect(after.flatMap((r) => r.findings.map((f) => f.code))).toContain('DQ017');
    phiFree(await storedJson());
    noDenials();
  });

  it('records a rejected row of a dropped file once when its chunk is delivered again', async () => {
    const site = await enroll(api);
    const key = `incoming/${site.iis_id}/batch/rejections.tsv`;
    const file = doseFile(['valid', 'invalid', 'valid', 'invalid'], 'cvrs', 'REJF')
      .replaceAll('Maria', PHI.recip_first_name)
      .replaceAll('Gonzalez', PHI.recip_last_name);
    const put = await s3.send(new PutObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key, Body: file }));
    const uploadId = parseIncomingKey(key, put.ETag!.replaceAll('"', ''))!.upload_id;
    expect(await planUpload(key, new Date())).toBe('planned');

    const deliver = () =>
      rt.invoke('ingestWorker', {
        Records: [
          {
            messageId: `m-${Date.now()}`,
            receiptHandle: 'r',
            body: JSON.stringify({ type: 'chunk', upload_id: uploadId, chunk: 0 }),
            attributes: { ApproximateReceiveCount: '1' },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ingestChunks',
            awsRegion: 'us-east-1',
          },
        ],
      });
    expect(await deliver()).toEqual({ batchItemFailures: [] });
    // The chunk died after recording its rejections, before it was counted done: the queue delivers it again.
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: rt.env.UPLOADS_TABLE!,
        Key: { pk: { S: `UPLOAD#${uploadId}` }, sk: { S: 'UPLOAD' } },
        UpdateExpression: 'DELETE chunks_done :n',
        ExpressionAttributeValues: { ':n': { NS: ['0'] } },
      }),
    );
    expect(await deliver()).toEqual({ batchItemFailures: [] });

    const rows = await ofSource(`upload:${uploadId}:`);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.source)).size).toBe(2);
    for (const r of rows) {
      expect(r).toMatchObject({ iis_id: site.iis_id, sender: site.iis_id, action: 'A' });
      expect(r.findings.some((f) => f.severity === 'error')).toBe(true);
    }
    phiFree(await storedJson());
    noDenials();
  });

  it('records a rejected VXU dose once when the EHR sends the message again', async () => {
    const site = await enroll(api);
    const hl7 = buildVxu({
      messageControlId: 'REJ-VXU-1',
      sentAt: new Date(),
      ...cairFacilities(site.iis_id),
      processingId: 'P',
      action: 'A',
      dose: {
        ...modernaDose({ ...PHI, vax_event_id: 'REJ-VXU', admin_date: '1950-01-01' }),
        iis_id: site.iis_id,
      } as unknown as Dose,
    });
    const send = async () => {
      const res = await fetch(`${rt.apiUrl}/v1/iis`, {
        method: 'POST',
        headers: { 'content-type': soapContentType('submitSingleMessage') },
        body: buildSubmitSingleMessageRequest({
          username: site.iis_id,
          password: site.api_key,
          facilityID: site.iis_id,
          hl7Message: hl7,
        }),
      });
      expect(res.status).toBe(200);
      return res.text();
    };
    const first = await send();
    const again = await send();
    expect(first).toContain('AE');
    expect(again).toContain('AE');

    const mine = (await rejectionsOn(today())).filter((r) => r.sender === site.iis_id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      iis_id: site.iis_id,
      action: 'A',
      admin_date: '1950-01-01',
      source: `soap:${site.iis_id}:REJ-VXU-1:1`,
    });
    expect(mine[0]!.findings).toContainEqual({ code: 'BUSR005', severity: 'error' });
    phiFree(await storedJson());
    noDenials();
  });
});
