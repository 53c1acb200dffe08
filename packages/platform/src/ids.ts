import { randomBytes } from "node:crypto";

// Crockford base32: sortable as text, no ambiguous letters.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A 20-character id, unique across instances without coordination and roughly time-ordered:
 * 10 characters of milliseconds since the epoch (good until year 10889) then 50 random bits.
 * Collisions need two ids in the same millisecond with the same 50 random bits.
 *
 * With a logical shard (0–1023), the first two random characters carry it instead (40 random bits
 * left, per shard and millisecond), so a record is found in its shard's database from its id alone.
 */
export function newId(now = Date.now(), logicalShard?: number): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(7);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let random = "";
  for (let i = 0; i < 10; i++) {
    random = ALPHABET[Number(bits & 31n)] + random;
    bits >>= 5n;
  }
  if (logicalShard === undefined) return time + random;
  if (!Number.isInteger(logicalShard) || logicalShard < 0 || logicalShard >= 1024) throw new RangeError(`logical shard ${logicalShard} is not in [0, 1023]`);
  return time + ALPHABET[logicalShard >> 5] + ALPHABET[logicalShard & 31] + random.slice(2);
}

/** The logical shard an id of newId carries (undefined if it cannot be one of ours). */
export function logicalShardOfId(id: string): number | undefined {
  if (id.length !== 20) return undefined;
  const high = ALPHABET.indexOf(id[10] as string);
  const low = ALPHABET.indexOf(id[11] as string);
  return high < 0 || low < 0 ? undefined : high * 32 + low;
}
