import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { localDate } from '#platform/dates.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import type { Finding } from '#platform/findings.ts';
import { itemsOfDay } from '#platform/store/query.ts';
import { dayPart } from '#platform/store/shards.ts';
import type { Dose } from './fields.ts';
import type { EarlierDose } from './validate.ts';

/**
 * Doses table: every change of a dose is an immutable version item; nothing is overwritten or deleted.
 *   versions of a dose      pk = DOSE#<iis_id>#<vax_event_id>, sk = V#<000001>   (newest = head)
 *   unpublished changes     pk = OUTBOX#<0-7>, sk = <stored_at>#…   (see outbox.ts)
 *   a recipient's doses     GSI by-recipient: recip_key = <iis_id>#<recip_id>, admin_date
 *   versions stored on a day GSI by-stored-day: stored_day_part = <California day>#<shard> (shards.ts)
 *
 * Uniqueness is DynamoDB's: a version is written with `attribute_not_exists(pk)`, so one add per
 * (iis_id, vax_event_id) and one successor per version can ever succeed, whoever races.
 */
const table = () => requiredEnv(TABLE_ENV.doses);

export type Action = 'A' | 'U' | 'D';

export interface DoseVersion {
  iis_id: string;
  vax_event_id: string;
  version: number;
  action: Action;
  content_hash: string;
  dose: Dose;
  findings: Finding[];
  stored_at: string;
  submitted_by: string;
  /** Where an add came from when it came from a file ("upload:<id>:<row>"), so a retried chunk knows its own rows. */
  source?: string;
  /** A historical record (HL7 RXA-9 other than 00), not a dose given by the site: it is reported as one. */
  historical?: boolean;
  /** The regional registry for the site's county when the change was stored. */
  registry?: string;
  registry_status?: string;
  /** The registry's answer to this version (registry, status, what was sent, its findings, the raw ACK). */
  registry_outcome?: {
    registry: string;
    status: string;
    sentAs?: string;
    ack?: string;
    findings: Finding[];
    at: string;
  };
  cdc_status?: string;
}

export const doseKey = (iisId: string, eventId: string) => `DOSE#${iisId}#${eventId}`;
export const versionKey = (v: number) => `V#${String(v).padStart(6, '0')}`;

/**
 * A dose is stored compressed (raw DEFLATE of its JSON, ~650 → ~360 bytes): it is most of a version, and a version
 * under 1 KB costs one write unit, not two, in the table and in each index that holds it. Versions stored as
 * JSON text before are still read. The registry's answer on a version (its ACK) is stored the same way.
 */
export const packJson = (value: unknown): AttributeValue => ({ B: deflateRawSync(JSON.stringify(value)) });
const unpackJson = (a: AttributeValue): unknown =>
  JSON.parse(a.B ? inflateRawSync(a.B).toString('utf8') : a.S!);
const packDose = (dose: Dose): AttributeValue => packJson(dose);
const unpackDose = (a: AttributeValue): Dose => unpackJson(a) as Dose;

export function toItem(v: DoseVersion): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    pk: { S: doseKey(v.iis_id, v.vax_event_id) },
    sk: { S: versionKey(v.version) },
    iis_id: { S: v.iis_id },
    vax_event_id: { S: v.vax_event_id },
    version: { N: String(v.version) },
    action: { S: v.action },
    content_hash: { S: v.content_hash },
    dose: packDose(v.dose),
    findings: { S: JSON.stringify(v.findings) },
    stored_at: { S: v.stored_at },
    submitted_by: { S: v.submitted_by },
  };
  // The California day it was stored, for the nightly roll-up (GSI by-stored-day).
  item.stored_day_part = { S: dayPart(localDate(new Date(v.stored_at)), doseKey(v.iis_id, v.vax_event_id)) };
  if (v.registry) item.registry = { S: v.registry };
  if (v.source) item.source = { S: v.source };
  if (v.historical) item.historical = { BOOL: true };
  if (v.dose.recip_id && v.dose.admin_date) {
    item.recip_key = { S: `${v.iis_id}#${v.dose.recip_id}` };
    item.admin_date = { S: v.dose.admin_date };
    // What the interval rule reads of a recipient's earlier doses, beside the dose: the by-recipient index holds
    // only these, not the whole version.
    if (v.dose.cvx) item.cvx = { S: v.dose.cvx };
    if (v.dose.mvx) item.mvx = { S: v.dose.mvx };
    if (v.dose.vax_refusal === 'YES') item.refused = { BOOL: true };
  }
  return item;
}

export function fromItem(i: Record<string, AttributeValue>): DoseVersion {
  return {
    iis_id: i.iis_id!.S!,
    vax_event_id: i.vax_event_id!.S!,
    version: Number(i.version!.N),
    action: i.action!.S as Action,
    content_hash: i.content_hash!.S!,
    dose: unpackDose(i.dose!),
    findings: JSON.parse(i.findings?.S ?? '[]') as Finding[],
    stored_at: i.stored_at!.S!,
    submitted_by: i.submitted_by!.S!,
    registry: i.registry?.S,
    source: i.source?.S,
    ...(i.historical?.BOOL ? { historical: true } : {}),
    registry_status: i.registry_status?.S,
    registry_outcome: i.registry_outcome
      ? (unpackJson(i.registry_outcome) as DoseVersion['registry_outcome'])
      : undefined,
    cdc_status: i.cdc_status?.S,
  };
}

export type InsertResult = { stored: true } | { stored: false; existing: DoseVersion | undefined };

/** Writes a version that must not exist yet; on a race, answers what is there instead. */
export async function insertVersion(v: DoseVersion): Promise<InsertResult> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: toItem(v),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { stored: true };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const existing = err.Item?.pk
      ? fromItem(err.Item)
      : await getVersion(v.iis_id, v.vax_event_id, v.version);
    return { stored: false, existing };
  }
}

export async function getVersion(
  iisId: string,
  eventId: string,
  version: number,
): Promise<DoseVersion | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: table(),
      Key: { pk: { S: doseKey(iisId, eventId) }, sk: { S: versionKey(version) } },
      ConsistentRead: true,
    }),
  );
  return res.Item ? fromItem(res.Item) : undefined;
}

export async function getHead(iisId: string, eventId: string): Promise<DoseVersion | undefined> {
  const res = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': { S: doseKey(iisId, eventId) }, ':v': { S: 'V#' } },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = res.Items?.[0];
  return item ? fromItem(item) : undefined;
}

/** The recipient's administered doses at a site, as of their latest versions (deleted and refused left out). */
export async function recipientDoses(iisId: string, recipId: string): Promise<EarlierDose[]> {
  const latest = new Map<string, Record<string, AttributeValue>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'by-recipient',
        KeyConditionExpression: 'recip_key = :k',
        ExpressionAttributeValues: { ':k': { S: `${iisId}#${recipId}` } },
        ExclusiveStartKey: start,
      }),
    );
    // The index holds the attributes the rule needs (topology: by-recipient), not whole versions.
    for (const item of page.Items ?? []) {
      const id = item.vax_event_id!.S!;
      const seen = latest.get(id);
      if (!seen || Number(seen.version!.N) < Number(item.version!.N)) latest.set(id, item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const out: EarlierDose[] = [];
  for (const i of latest.values()) {
    if (i.action?.S === 'D' || i.refused?.BOOL || !i.admin_date?.S) continue;
    out.push({ vax_event_id: i.vax_event_id!.S!, admin_date: i.admin_date.S, cvx: i.cvx?.S, mvx: i.mvx?.S });
  }
  return out;
}

/** Every version stored on a California day (GSI by-stored-day, all shards), for the nightly roll-up. */
export async function versionsStoredOn(day: string): Promise<DoseVersion[]> {
  return (await itemsOfDay(table(), 'by-stored-day', 'stored_day_part', day)).map(fromItem);
}
