import { createHash, randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { queryItems } from '#platform/store/query.ts';
import { SHARDS, shardOf } from '#platform/store/shards.ts';
import type { Demographics, PersonCandidate, PersonDose } from './types.ts';

/**
 * Persons table (issue 14):
 *   person           pk = PERSON#<id>, sk = META         created_at, merged_into, next-dose summary (by-due)
 *   a dose's link    pk = PERSON#<id>, sk = LINK#<iis_id>#<vax_event_id>   demographics + dose as reported
 *   where a dose is  pk = LINK#<iis_id>#<vax_event_id>, sk = PERSON          person_id, dose version linked
 *   blocking index   pk = BLOCK#<hash of key>, sk = <person id>
 *   review           pk = REVIEW, sk = <at>#<iis_id>#<vax_event_id>          open|decided, candidates
 *   decisions        pk = DECISION#<person id>, sk = <at>#<id>                what moved, by whom, why
 *   access log       pk = ACCESS#<day>, sk = <at>#<id>; and DISCLOSED#<person id> per person disclosed
 * Blocking keys are hashed: a key is derived from names and DOB, and a partition key may appear where item
 * contents do not (metrics, traces), so it is never stored in the clear.
 */
const table = () => requiredEnv(TABLE_ENV.persons);
const S = (v: string): AttributeValue => ({ S: v });

export const personKey = (id: string) => `PERSON#${id}`;
const linkSk = (iis: string, event: string) => `LINK#${iis}#${event}`;
const pointerKey = (iis: string, event: string) => `LINK#${iis}#${event}`;
export const blockKey = (key: string) =>
  `BLOCK#${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;

/** New person IDs sort by creation time, so "the older of two" is a string comparison (reconciliation). */
export function newPersonId(now = Date.now()): string {
  return `P${now.toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}

export interface Link {
  person_id: string;
  demo: Demographics;
  dose: PersonDose;
  dose_version: number;
  rule: string;
  score?: number;
  linked_at: string;
}

export interface Person {
  person_id: string;
  created_at: string;
  merged_into?: string;
}

function toLink(i: Record<string, AttributeValue>): Link {
  return {
    person_id: i.person_id!.S!,
    demo: JSON.parse(i.demo!.S!) as Demographics,
    dose: JSON.parse(i.dose!.S!) as PersonDose,
    dose_version: Number(i.dose_version!.N),
    rule: i.rule!.S!,
    ...(i.score ? { score: Number(i.score.N) } : {}),
    linked_at: i.linked_at!.S!,
  };
}

export async function getPerson(id: string): Promise<Person | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: table(),
      Key: { pk: S(personKey(id)), sk: S('META') },
      ConsistentRead: true,
    }),
  );
  const i = res.Item;
  if (!i) return undefined;
  return {
    person_id: id,
    created_at: i.created_at!.S!,
    ...(i.merged_into ? { merged_into: i.merged_into.S! } : {}),
  };
}

/** The person a merged ID now lives in (following merges), or undefined when there is no such person. */
export async function currentPerson(
  id: string,
): Promise<{ person: Person; merged_from: string[] } | undefined> {
  const merged_from: string[] = [];
  let person = await getPerson(id);
  while (person?.merged_into && merged_from.length < 20) {
    merged_from.push(person.person_id);
    person = await getPerson(person.merged_into);
  }
  return person ? { person, merged_from } : undefined;
}

export async function createPerson(id: string, at: string): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: { pk: S(personKey(id)), sk: S('META'), person_id: S(id), created_at: S(at) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function markMerged(id: string, into: string, at: string): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: { pk: S(personKey(id)), sk: S('META') },
      UpdateExpression: 'SET merged_into = :i, updated_at = :at REMOVE due_part, due_date',
      ExpressionAttributeValues: { ':i': S(into), ':at': S(at) },
    }),
  );
}

export async function linksOf(id: string): Promise<Link[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :l)',
    ExpressionAttributeValues: { ':pk': S(personKey(id)), ':l': S('LINK#') },
    ConsistentRead: true,
  });
  return items.map(toLink);
}

/** Writes a dose's link under its person, then the pointer from the dose to it (the pointer is the truth). */
export async function putLink(l: Link): Promise<void> {
  const { iis_id, vax_event_id } = l.dose;
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: {
        pk: S(personKey(l.person_id)),
        sk: S(linkSk(iis_id, vax_event_id)),
        person_id: S(l.person_id),
        demo: S(JSON.stringify(l.demo)),
        dose: S(JSON.stringify(l.dose)),
        dose_version: { N: String(l.dose_version) },
        rule: S(l.rule),
        ...(l.score === undefined ? {} : { score: { N: String(l.score) } }),
        linked_at: S(l.linked_at),
      },
    }),
  );
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: {
        pk: S(pointerKey(iis_id, vax_event_id)),
        sk: S('PERSON'),
        person_id: S(l.person_id),
        dose_version: { N: String(l.dose_version) },
      },
    }),
  );
}

export async function deleteLink(personId: string, iis: string, event: string): Promise<void> {
  await dynamodb.send(
    new DeleteItemCommand({
      TableName: table(),
      Key: { pk: S(personKey(personId)), sk: S(linkSk(iis, event)) },
    }),
  );
}

export async function deletePointer(iis: string, event: string): Promise<void> {
  await dynamodb.send(
    new DeleteItemCommand({ TableName: table(), Key: { pk: S(pointerKey(iis, event)), sk: S('PERSON') } }),
  );
}

export async function pointerOf(
  iis: string,
  event: string,
): Promise<{ person_id: string; dose_version: number } | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: table(),
      Key: { pk: S(pointerKey(iis, event)), sk: S('PERSON') },
      ConsistentRead: true,
    }),
  );
  const i = res.Item;
  return i ? { person_id: i.person_id!.S!, dose_version: Number(i.dose_version!.N) } : undefined;
}

export async function addToBlocks(keys: readonly string[], personId: string): Promise<void> {
  await Promise.all(
    keys.map((k) =>
      dynamodb.send(
        new PutItemCommand({
          TableName: table(),
          Item: { pk: S(blockKey(k)), sk: S(personId) },
        }),
      ),
    ),
  );
}

/** Most persons read from one block: a block is a handful of people; more means a key is too coarse. */
const BLOCK_LIMIT = 200;

/**
 * The persons the blocks name. `found`, when given, gets the blocks each one was found in: blocks only grow, so
 * a person found in a block need not be written to it again (addToBlocks).
 */
export async function personsInBlocks(
  keys: readonly string[],
  found?: Map<string, Set<string>>,
): Promise<string[]> {
  const ids = new Set<string>();
  await Promise.all(
    keys.map(async (k) => {
      const items = await queryItems({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': S(blockKey(k)) },
        Limit: BLOCK_LIMIT,
      });
      for (const i of items.slice(0, BLOCK_LIMIT)) {
        const id = i.sk!.S!;
        ids.add(id);
        if (found) found.set(id, (found.get(id) ?? new Set()).add(k));
      }
    }),
  );
  return [...ids];
}

/**
 * The candidates the blocks name, as matching sees them: merged persons followed to where they live now,
 * persons left without doses dropped, each with the demographics of its doses (newest first).
 */
export async function candidatesIn(
  keys: readonly string[],
  except?: string,
  found?: Map<string, Set<string>>,
): Promise<PersonCandidate[]> {
  const ids = await personsInBlocks(keys, found);
  const live = new Set<string>();
  await Promise.all(
    ids.map(async (id) => {
      const current = await currentPerson(id);
      if (current && current.person.person_id !== except) live.add(current.person.person_id);
    }),
  );
  const out: PersonCandidate[] = [];
  await Promise.all(
    [...live].map(async (id) => {
      const links = await linksOf(id);
      if (links.length === 0) return;
      links.sort((a, b) => b.linked_at.localeCompare(a.linked_at));
      out.push({ person_id: id, variants: links.map((l) => l.demo) });
    }),
  );
  return out.sort((a, b) => a.person_id.localeCompare(b.person_id));
}

/** The next-dose summary the reminder/recall run reads (GSI by-due); cleared when nothing is due. */
export async function setDue(
  id: string,
  due: { due_date: string; overdue_after: string; next_dose: number; county?: string } | undefined,
  at: string,
): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: { pk: S(personKey(id)), sk: S('META') },
      ...(due
        ? {
            UpdateExpression:
              'SET due_part = :p, due_date = :d, overdue_after = :o, next_dose = :n, county = :c, updated_at = :at',
            ExpressionAttributeValues: {
              ':p': S(`due#${shardOf(id)}`),
              ':d': S(due.due_date),
              ':o': S(due.overdue_after),
              ':n': { N: String(due.next_dose) },
              ':c': S(due.county ?? ''),
              ':at': S(at),
            },
          }
        : {
            UpdateExpression: 'SET updated_at = :at REMOVE due_part, due_date, overdue_after, next_dose',
            ExpressionAttributeValues: { ':at': S(at) },
          }),
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

export interface DuePerson {
  person_id: string;
  due_date: string;
  overdue_after: string;
  next_dose: number;
  county: string;
}

/** Everyone whose next dose is due on or before `day` (all shards of the by-due index). */
export async function dueBy(day: string): Promise<DuePerson[]> {
  const parts = await Promise.all(
    Array.from({ length: SHARDS }, (_, s) =>
      queryItems({
        TableName: table(),
        IndexName: 'by-due',
        KeyConditionExpression: 'due_part = :p AND due_date <= :d',
        ExpressionAttributeValues: { ':p': S(`due#${s}`), ':d': S(day) },
      }),
    ),
  );
  return parts.flat().map((i) => ({
    person_id: i.person_id!.S!,
    due_date: i.due_date!.S!,
    overdue_after: i.overdue_after!.S!,
    next_dose: Number(i.next_dose!.N),
    county: i.county?.S ?? '',
  }));
}

export interface Review {
  review_id: string;
  iis_id: string;
  vax_event_id: string;
  /** Where the dose was put meanwhile (kept apart). */
  person_id: string;
  candidates: { person_id: string; score: number }[];
  status: 'open' | 'decided';
  created_at: string;
  decision?: string;
}

const reviewFrom = (i: Record<string, AttributeValue>): Review => ({
  review_id: i.sk!.S!,
  iis_id: i.iis_id!.S!,
  vax_event_id: i.vax_event_id!.S!,
  person_id: i.person_id!.S!,
  candidates: JSON.parse(i.candidates!.S!),
  status: i.status!.S! as Review['status'],
  created_at: i.created_at!.S!,
  ...(i.decision ? { decision: i.decision.S! } : {}),
});

export async function putReview(r: Omit<Review, 'review_id' | 'status'>): Promise<string> {
  const id = `${r.created_at}#${r.iis_id}#${r.vax_event_id}`;
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: {
        pk: S('REVIEW'),
        sk: S(id),
        iis_id: S(r.iis_id),
        vax_event_id: S(r.vax_event_id),
        person_id: S(r.person_id),
        candidates: S(JSON.stringify(r.candidates)),
        status: S('open'),
        created_at: S(r.created_at),
      },
    }),
  );
  return id;
}

export async function openReviews(): Promise<Review[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: '#s = :open',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':pk': S('REVIEW'), ':open': S('open') },
  });
  return items.map(reviewFrom);
}

export async function getReview(id: string): Promise<Review | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({ TableName: table(), Key: { pk: S('REVIEW'), sk: S(id) }, ConsistentRead: true }),
  );
  return res.Item ? reviewFrom(res.Item) : undefined;
}

export async function closeReview(id: string, decision: string, at: string): Promise<boolean> {
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table(),
        Key: { pk: S('REVIEW'), sk: S(id) },
        UpdateExpression: 'SET #s = :d, decision = :x, decided_at = :at',
        ConditionExpression: '#s = :open',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':d': S('decided'),
          ':x': S(decision),
          ':open': S('open'),
          ':at': S(at),
        },
      }),
    );
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

export interface Decision {
  kind: 'link' | 'new' | 'review' | 'merge' | 'split' | 'unlink' | 'reconcile' | 'apart';
  at: string;
  by: string;
  /** The doses it moved or linked (site and event IDs; no demographics). */
  doses: { iis_id: string; vax_event_id: string }[];
  from?: string;
  into?: string;
  rule?: string;
  score?: number;
  reason?: string;
}

/** Records a decision under each person it touched, so either one's history shows it. */
export async function recordDecision(persons: readonly string[], d: Decision): Promise<void> {
  const id = randomBytes(6).toString('hex');
  await Promise.all(
    [...new Set(persons)].map((p) =>
      dynamodb.send(
        new PutItemCommand({
          TableName: table(),
          Item: { pk: S(`DECISION#${p}`), sk: S(`${d.at}#${id}`), decision: S(JSON.stringify(d)) },
        }),
      ),
    ),
  );
}

export async function decisionsOf(person: string): Promise<Decision[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': S(`DECISION#${person}`) },
    ScanIndexForward: false,
  });
  return items.map((i) => JSON.parse(i.decision!.S!) as Decision);
}

export interface AccessEntry {
  at: string;
  /** The site's Org Code, or "admin". */
  who: string;
  via: 'api' | 'soap';
  /** search, record (GET by id), qbp-z34, qbp-z44. */
  what: string;
  /** one, several, none, error. */
  outcome: string;
  /** The persons whose data was disclosed (empty when none was). */
  persons: string[];
}

/** One entry per query, by day, and one per disclosed person (the accounting of disclosures). */
export async function logAccess(e: AccessEntry): Promise<void> {
  const id = randomBytes(6).toString('hex');
  const item = { entry: S(JSON.stringify(e)) };
  await Promise.all([
    dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: { pk: S(`ACCESS#${e.at.slice(0, 10)}`), sk: S(`${e.at}#${id}`), ...item },
      }),
    ),
    ...e.persons.map((p) =>
      dynamodb.send(
        new PutItemCommand({
          TableName: table(),
          Item: { pk: S(`DISCLOSED#${p}`), sk: S(`${e.at}#${id}`), ...item },
        }),
      ),
    ),
  ]);
}

const entries = async (pk: string): Promise<AccessEntry[]> =>
  (
    await queryItems({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': S(pk) },
      ScanIndexForward: false,
    })
  ).map((i) => JSON.parse(i.entry!.S!) as AccessEntry);

export const disclosuresOf = (person: string) => entries(`DISCLOSED#${person}`);
/** Every query of a UTC day (the access log as a whole). */
export const accessOn = (day: string) => entries(`ACCESS#${day}`);
