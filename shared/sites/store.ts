import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import type { Site } from './site.ts';

/**
 * Sites table. Access patterns:
 *   site by iis_id            pk = SITE#<iis_id>, sk = PROFILE
 *   key by key id (authorize) pk = KEY#<keyId>,   sk = KEY      (iis_id, role, sha-256 of the secret, status)
 *   keys of a site (revoke)   pk = SITE#<iis_id>, sk begins_with KEY#
 */
const table = () => requiredEnv(TABLE_ENV.sites);

export type Role = 'site';

export interface StoredKey {
  keyId: string;
  iis_id: string;
  hash: string;
  status: 'active' | 'revoked';
}

export async function createSite(
  site: Site,
): Promise<{ created: true } | { created: false; existing: Site }> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: {
          pk: { S: `SITE#${site.iis_id}` },
          sk: { S: 'PROFILE' },
          site: { S: JSON.stringify(site) },
          ...(site.sending_facility_iis_id ? { sending_facility: { S: site.sending_facility_iis_id } } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { created: true };
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      const existing = err.Item?.site?.S ? (JSON.parse(err.Item.site.S) as Site) : await getSite(site.iis_id);
      if (existing) return { created: false, existing };
    }
    throw err;
  }
}

export async function getSite(iisId: string): Promise<Site | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({ TableName: table(), Key: { pk: { S: `SITE#${iisId}` }, sk: { S: 'PROFILE' } } }),
  );
  return res.Item?.site?.S ? (JSON.parse(res.Item.site.S) as Site) : undefined;
}

/** Stores a new key twice over: by key id for the authorizer, under the site for listing and revoking. */
export async function addKey(key: StoredKey, createdAt: string): Promise<void> {
  const attrs: Record<string, AttributeValue> = {
    key_id: { S: key.keyId },
    iis_id: { S: key.iis_id },
    hash: { S: key.hash },
    status: { S: key.status },
    created_at: { S: createdAt },
  };
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: { pk: { S: `SITE#${key.iis_id}` }, sk: { S: `KEY#${key.keyId}` }, ...attrs },
    }),
  );
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: { pk: { S: `KEY#${key.keyId}` }, sk: { S: 'KEY' }, ...attrs },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getKey(keyId: string): Promise<StoredKey | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: table(),
      Key: { pk: { S: `KEY#${keyId}` }, sk: { S: 'KEY' } },
      ConsistentRead: true,
    }),
  );
  const i = res.Item;
  if (!i?.iis_id?.S || !i.hash?.S) return undefined;
  return {
    keyId,
    iis_id: i.iis_id.S,
    hash: i.hash.S,
    status: i.status?.S === 'active' ? 'active' : 'revoked',
  };
}

/** Revokes every active key of a site except `keep`; answers how many were revoked. */
export async function revokeKeys(iisId: string, revokedAt: string, keep?: string): Promise<number> {
  let revoked = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :k)',
        ExpressionAttributeValues: { ':pk': { S: `SITE#${iisId}` }, ':k': { S: 'KEY#' } },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const keyId = item.key_id?.S;
      if (!keyId || keyId === keep || item.status?.S !== 'active') continue;
      for (const key of [
        { pk: { S: `KEY#${keyId}` }, sk: { S: 'KEY' } },
        { pk: { S: `SITE#${iisId}` }, sk: { S: `KEY#${keyId}` } },
      ]) {
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: table(),
            Key: key,
            UpdateExpression: 'SET #s = :r, revoked_at = :t',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':r': { S: 'revoked' }, ':t': { S: revokedAt } },
          }),
        );
      }
      revoked++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return revoked;
}
