import { randomBytes } from "node:crypto";

// Crockford base32: sortable as text, no ambiguous letters.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A 20-character id, unique across instances without coordination and roughly time-ordered:
 * 10 characters of milliseconds since the epoch (good until year 10889) then 50 random bits.
 * Collisions need two ids in the same millisecond with the same 50 random bits.
 */
export function newId(now = Date.now()): string {
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
  return time + random;
}
