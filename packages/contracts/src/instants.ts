// Order times carry microseconds (PostgreSQL timestamptz) and ties are real, so they are compared
// as whole microseconds since the epoch, never as JS Dates (milliseconds).

// Every spelling the HTTP schema's `date-time` (ajv-formats) lets through: `T`, `t` or any white
// space between date and time, any number of fraction digits, `Z`/`z` or an offset of hours with
// optional minutes (`+08`, `+0800`, `+08:00`), and a leap second.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt\s](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** An instant as microseconds since the epoch and in the one spelling the services store and show. */
export interface Instant {
  micros: bigint;
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`: UTC, six fraction digits. */
  iso: string;
}

/**
 * The one parser of instants: whatever the schema accepts either becomes an Instant or is refused
 * here (undefined), so a date-time never reaches PostgreSQL in a form it reads differently.
 * Digits past the microsecond are cut (what is validated is what is stored); a leap second rolls
 * into the next second as PostgreSQL does; years outside 1970–9999 are refused.
 */
export function parseInstant(text: string): Instant | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const zoneHours = Number(m[10] ?? 0);
  const zoneMinutes = Number(m[11] ?? 0);
  // Date.UTC reads years 0–99 as 1900–1999: refuse before converting, not after.
  if (year < 1970 || month < 1 || month > 12 || day < 1) return undefined;
  if (day > (month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0))) return undefined;
  if (hour > 23 || minute > 59 || second > 60 || zoneHours > 23 || zoneMinutes > 59) return undefined;
  const sign = m[9] === "-" ? -1 : 1;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second) - sign * (zoneHours * 60 + zoneMinutes) * 60_000;
  if (millis < 0 || new Date(millis).getUTCFullYear() > 9999) return undefined;
  const fraction = BigInt((m[7] ?? "").padEnd(6, "0").slice(0, 6));
  const micros = BigInt(millis) * 1000n + fraction;
  return { micros, iso: isoOfMicros(micros) };
}

export function isoOfMicros(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const fraction = String(micros % 1_000_000n).padStart(6, "0");
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

export function microsOf(iso: string): bigint {
  const instant = parseInstant(iso);
  if (!instant) throw new Error(`not an ISO instant: ${iso}`);
  return instant.micros;
}

export function compareInstants(a: string, b: string): number {
  const x = microsOf(a);
  const y = microsOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
