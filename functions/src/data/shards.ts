/**
 * Write sharding for keys that would otherwise be hot. DynamoDB serves at
 * most 1,000 write units and 3,000 read units per second per partition
 * ("Best practices for designing and using partition keys effectively",
 * DynamoDB Developer Guide), and one partition key value lives in one
 * partition. A key spread over N suffixes (`region#0` .. `region#N-1`),
 * picked by a stable hash of the item's id, has N times that ceiling; a
 * reader of the whole set queries the N keys in parallel.
 */

/** Tickets: 16 shards per region, 16,000 ticket writes/s per region before partitions are the limit. */
export const TICKET_SHARDS = 16;
/** Spare (launching or idle) warm servers: 4 shards per region; a buffer is tens of servers, assignments hundreds per second. */
export const SPARE_SHARDS = 4;
/** Matches' deadline index: 8 shards per state. */
export const DEADLINE_SHARDS = 8;

/**
 * FNV-1a (32-bit) of the id with MurmurHash3's final mix (FNV's low bits
 * alone spread ids that differ in their last characters badly), modulo
 * `count`: stable across runtimes and releases.
 */
export function shardOf(id: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % count;
}

/** The sharded key of one item: `<prefix>#<shard>`. */
export function shardKey(prefix: string, id: string, count: number): string {
  return `${prefix}#${shardOf(id, count)}`;
}

/** Every shard key of a prefix, for a reader of the whole set. */
export function allShardKeys(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, shard) => `${prefix}#${shard}`);
}
