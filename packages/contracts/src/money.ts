// Money travels as a decimal string ("250.00") and is computed in integer cents; never a float.
/**
 * The one amount pattern, decimal(10,2) as text: at most 8 integer digits without leading zeros and
 * at most 2 decimals. A string, so that JSON schemas (events, HTTP) take it as it is; the parser
 * here and the portal's forms test with AMOUNT_REGEX.
 */
export const AMOUNT_PATTERN = "^(0|[1-9]\\d{0,7})(\\.\\d{1,2})?$";
export const AMOUNT_REGEX = new RegExp(AMOUNT_PATTERN);
/** The largest amount decimal(10,2) holds, in cents, and as text ("99999999.99"): the limits every message and schema states. */
export const MAX_AMOUNT_CENTS = 99_999_999_99;
export const MAX_AMOUNT = "99999999.99";

export type AmountError = "NOT_A_DECIMAL" | "TOO_MANY_DECIMALS" | "TOO_LARGE" | "NOT_POSITIVE";

/** Parses an amount given as a JSON number or decimal string into integer cents. */
export function parseAmountCents(input: unknown): { ok: true; cents: number } | { ok: false; reason: AmountError } {
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return { ok: false, reason: "NOT_A_DECIMAL" };
    // String() of a JS number is its shortest round-trip form: 250.1 → "250.1", 1e21 → "1e+21".
    text = String(input);
  } else if (typeof input === "string") {
    text = input.trim();
  } else {
    return { ok: false, reason: "NOT_A_DECIMAL" };
  }
  if (/^\d+\.\d{3,}$/.test(text)) return { ok: false, reason: "TOO_MANY_DECIMALS" };
  if ((/^\d+(\.\d{1,2})?$/.test(text) && Number(text) * 100 > MAX_AMOUNT_CENTS) || /e\+/i.test(text)) return { ok: false, reason: "TOO_LARGE" };
  if (!AMOUNT_REGEX.test(text)) return { ok: false, reason: "NOT_A_DECIMAL" };
  const [whole = "0", fraction = ""] = text.split(".");
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  if (cents <= 0) return { ok: false, reason: "NOT_POSITIVE" };
  return { ok: true, cents };
}

export function formatCents(cents: number): string {
  const whole = Math.floor(cents / 100);
  const fraction = String(cents % 100).padStart(2, "0");
  return `${whole}.${fraction}`;
}

/** Cents of a decimal string that is already known to be valid (from the database or a validated event); zero allowed. */
export function centsOf(decimal: string): number {
  if (/^0+(\.0{1,2})?$/.test(decimal)) return 0;
  const parsed = parseAmountCents(decimal);
  if (!parsed.ok) throw new Error(`invalid stored amount: ${decimal}`);
  return parsed.cents;
}
