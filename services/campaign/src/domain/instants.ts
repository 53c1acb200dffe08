// Order times carry microseconds (PostgreSQL timestamptz) and ties are real, so they are compared
// as whole microseconds since the epoch, never as JS Dates (milliseconds).
export function microsOf(iso: string): bigint {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  if (!match) throw new Error(`not an ISO instant: ${iso}`);
  const [, whole = "", fraction = "", zone = "Z"] = match;
  const seconds = Date.parse(`${whole}${zone}`);
  if (Number.isNaN(seconds)) throw new Error(`not an ISO instant: ${iso}`);
  return BigInt(seconds) * 1000n + BigInt(fraction.padEnd(6, "0").slice(0, 6));
}

export function compareInstants(a: string, b: string): number {
  const x = microsOf(a);
  const y = microsOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
