import { createHash } from 'node:crypto';

/**
 * Items read back by day go to one of SHARDS partitions of the day (`<day>#<shard>`), so a busy day is not one
 * hot key in a GSI; readers query every shard of the day.
 */
export const SHARDS = 16;

export function shardOf(key: string): number {
  return createHash('sha1').update(key).digest()[0]! % SHARDS;
}

export const dayPart = (day: string, key: string) => `${day}#${shardOf(key)}`;
export const dayParts = (day: string) => Array.from({ length: SHARDS }, (_, s) => `${day}#${s}`);
