import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { localDate } from '#platform/dates.ts';
import { queryItems } from '#platform/store/query.ts';
import { table } from './table.ts';

/**
 * Lot expirations (set by the program) and beyond-use dates (set by a site), as versions on the lot's item
 * collection (layout: store.ts). Versions are never rewritten: an extended expiration is a new version effective
 * from the day it was set, so a report of an earlier day still sees the expiration known then.
 */
const lotPk = (ndc: string, lot: string) => `LOT#${ndc}#${lot}`;
const version = (n: number) => `V#${String(n).padStart(6, '0')}`;

export interface DatedVersion {
  version: number;
  value: string;
  effective_at: string;
  effective_day: string;
  set_by: string;
}

async function versions(pk: string, prefix: string, attr: string): Promise<DatedVersion[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': { S: pk }, ':p': { S: prefix } },
    ConsistentRead: true,
  });
  return items.map((i) => ({
    version: Number(i.version!.N),
    value: i[attr]!.S!,
    effective_at: i.effective_at!.S!,
    effective_day: i.effective_day!.S!,
    set_by: i.set_by?.S ?? '',
  }));
}

/** Adds a version unless the newest already says the same; answers the newest and whether it is new. */
async function addVersion(
  pk: string,
  prefix: string,
  attr: string,
  value: string,
  now: Date,
  setBy: string,
): Promise<{ current: DatedVersion; created: boolean; history: DatedVersion[] }> {
  for (let attempt = 0; ; attempt++) {
    const history = await versions(pk, prefix, attr);
    const head = history.at(-1);
    if (head?.value === value) return { current: head, created: false, history };
    const next: DatedVersion = {
      version: (head?.version ?? 0) + 1,
      value,
      effective_at: now.toISOString(),
      effective_day: localDate(now),
      set_by: setBy,
    };
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table(),
          Item: {
            pk: { S: pk },
            sk: { S: `${prefix}${version(next.version)}` },
            version: { N: String(next.version) },
            [attr]: { S: value },
            effective_at: { S: next.effective_at },
            effective_day: { S: next.effective_day },
            set_by: { S: setBy },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { current: next, created: true, history: [...history, next] };
    } catch (err) {
      // Someone else added a version meanwhile: read again and decide again.
      if (!(err instanceof ConditionalCheckFailedException) || attempt >= 4) throw err;
    }
  }
}

/** The version in force at the end of `day`: the newest that took effect on or before it. */
export function inForce(history: readonly DatedVersion[], day: string): DatedVersion | undefined {
  let found: DatedVersion | undefined;
  for (const v of history) if (v.effective_day <= day && (!found || v.version > found.version)) found = v;
  return found;
}

/** The value in force at the end of `day`. */
export const asOf = (history: readonly DatedVersion[], day: string): string | undefined =>
  inForce(history, day)?.value;

export const lotExpirations = (ndc: string, lot: string) => versions(lotPk(ndc, lot), 'EXP#', 'expiration');
export const setLotExpiration = (ndc: string, lot: string, expiration: string, now: Date, by: string) =>
  addVersion(lotPk(ndc, lot), 'EXP#', 'expiration', expiration, now, by);

export const beyondUseDates = (iis: string, ndc: string, lot: string) =>
  versions(lotPk(ndc, lot), `BUD#${iis}#`, 'beyond_use_date');
export const setBeyondUseDate = (iis: string, ndc: string, lot: string, bud: string, now: Date) =>
  addVersion(lotPk(ndc, lot), `BUD#${iis}#`, 'beyond_use_date', bud, now, iis);

/** Every site's beyond-use dates of a lot, by site. */
export async function lotBeyondUseDates(ndc: string, lot: string): Promise<Map<string, DatedVersion[]>> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': { S: lotPk(ndc, lot) }, ':p': { S: 'BUD#' } },
    ConsistentRead: true,
  });
  const out = new Map<string, DatedVersion[]>();
  for (const i of items) {
    const iis = i.sk!.S!.split('#')[1]!;
    out.set(iis, [
      ...(out.get(iis) ?? []),
      {
        version: Number(i.version!.N),
        value: i.beyond_use_date!.S!,
        effective_at: i.effective_at!.S!,
        effective_day: i.effective_day!.S!,
        set_by: i.set_by?.S ?? '',
      },
    ]);
  }
  return out;
}
