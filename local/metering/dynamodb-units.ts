/**
 * DynamoDB's billing units for one call, by AWS's documented rules
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * a write is 1 WRU per 1 KB of the item (the larger of before and after), rounded up, plus the same again for
 * each global secondary index the item is in (our indexes project ALL, so an index's copy is the item); a
 * conditional write that fails still costs the existing item's size (at least 1 WRU); a read is 1 RRU per
 * 4 KB, half for an eventually consistent read, summed over a query's items before rounding. The table's own
 * units come from the stand-in (dynalite's ConsumedCapacity, asked for on every call); what dynalite leaves out,
 * the indexes and failed conditions, is added here from the items' sizes.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** An index by the attributes of its key (an item without them is not in it) and what it holds of an item. */
export interface IndexKey {
  partitionKey: string;
  sortKey?: string;
  /** The attributes a copy holds (the table's and the index's keys and the INCLUDE list); all when absent. */
  projected?: readonly string[];
}

type Item = Record<string, AttributeValue>;

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) {
    const digits = v.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length;
    return Math.ceil(Math.max(1, digits) / 2) + 1;
  }
  if (v.B !== undefined) return v.B.length;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + valueSize({ N: s }), 0);
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.length, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, x) => n + 1 + valueSize(x), 0);
  if (v.M !== undefined) return 3 + Object.keys(v.M).length + itemSize(v.M);
  return 1; // NULL, BOOL
}

/** An item's size as DynamoDB counts it: each attribute's name (UTF-8 bytes) and value. */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

export const writeUnits = (item: Item | undefined) =>
  item ? Math.max(1, Math.ceil(itemSize(item) / 1024)) : 1;

const inIndex = (item: Item, index: IndexKey) =>
  item[index.partitionKey] !== undefined &&
  (index.sortKey === undefined || item[index.sortKey] !== undefined);

const projection = (item: Item, index: IndexKey): Item =>
  index.projected
    ? Object.fromEntries(index.projected.filter((a) => item[a] !== undefined).map((a) => [a, item[a]!]))
    : item;

/**
 * The index writes of putting (or updating to) `item`: one copy, of what the index holds, per index it is in.
 * For an update, `changed` names the attributes it sets or removes: an index holding none of them is not written.
 */
export function indexWriteUnits(
  item: Item | undefined,
  indexes: readonly IndexKey[],
  changed?: ReadonlySet<string>,
): number {
  if (!item) return 0;
  let units = 0;
  for (const index of indexes) {
    if (!inIndex(item, index)) continue;
    if (changed && index.projected && !index.projected.some((a) => changed.has(a))) continue;
    units += writeUnits(projection(item, index));
  }
  return units;
}

const KEYWORDS = new Set([
  'SET',
  'REMOVE',
  'ADD',
  'DELETE',
  'if_not_exists',
  'list_append',
  'AND',
  'OR',
  'NOT',
]);

/** The attribute names an UpdateExpression writes (`#name` placeholders resolved). */
export function updatedAttributes(expression: string, names: Record<string, string> = {}): Set<string> {
  const out = new Set<string>();
  for (const token of expression.replace(/:[\w]+/g, ' ').match(/#?[A-Za-z_][\w]*/g) ?? [])
    if (!KEYWORDS.has(token)) out.add(token.startsWith('#') ? (names[token] ?? token) : token);
  return out;
}

/** The capacity units the stand-in reported (one object, or one per table for batch calls). */
export function reportedUnits(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((n, c: { CapacityUnits?: number }) => n + (c.CapacityUnits ?? 0), 0);
}

export const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
