import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OrderCompletedV1, OrderPlacedV1 } from "./events.ts";
import { CreateOrderBody } from "./http/orders.ts";
import { decoderFor } from "./validate.ts";

// The HTTP edge's validator as the platform's app configures it (Ajv counts in code points and
// compiles patterns with the `u` flag), against the event edge's TypeBox decoders.
const ajv = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: true, strict: false });
addFormats.default(ajv);
const http = ajv.compile(CreateOrderBody);
const placed = decoderFor(OrderPlacedV1);
const completed = decoderFor(OrderCompletedV1);

const body = (name: string) => ({ customer_id: "C1", customer_name: name, total_amount: "10.00" });
const at = "2026-11-25T03:31:00.123400Z";
const placedEvent = (name: string) => ({
  event_id: "6f1c1f0e-6c39-4d8e-8f57-3c2b5a0f9d11",
  type: "OrderPlaced",
  version: 1,
  occurred_at: at,
  data: { order_id: "O1", customer_id: "C1", customer_name: name, total_amount: "10.00", created_at: at },
});
const completedEvent = (name: string) => ({
  event_id: "6f1c1f0e-6c39-4d8e-8f57-3c2b5a0f9d12",
  type: "OrderCompleted",
  version: 1,
  occurred_at: at,
  data: { order_id: "O1", customer_id: "C1", customer_name: name, total_amount: "10.00", status: "SUCCESS", created_at: at, completed_at: at },
});
const verdicts = (name: string) => ({ http: http(body(name)), placed: placed(placedEvent(name)).ok, completed: completed(completedEvent(name)).ok });

describe("customer_name length", () => {
  it("accepts a name of 60 emoji at the HTTP edge and in both events", () => {
    expect(completed(completedEvent("a")).ok).toBe(true);
    expect(verdicts("😀".repeat(60))).toEqual({ http: true, placed: true, completed: true });
  });

  it("counts 100 astral characters as 100 and refuses 101 at both edges", () => {
    expect(verdicts("𝒜".repeat(100))).toEqual({ http: true, placed: true, completed: true });
    expect(verdicts("𝒜".repeat(101))).toEqual({ http: false, placed: false, completed: false });
    expect(verdicts("a".repeat(100))).toEqual({ http: true, placed: true, completed: true });
    expect(verdicts("a".repeat(101))).toEqual({ http: false, placed: false, completed: false });
    expect(verdicts("")).toEqual({ http: false, placed: false, completed: false });
  });

  it("gives the same verdict at both edges for any string: 1 to 100 code points, none a control character or an unpaired surrogate", () => {
    // Astral characters, any code point and lone surrogates, around the 100 boundary.
    const character = fc.oneof(fc.constantFrom("😀", "𝒜", "a", "\uD800", "\uDC00"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }));
    const text = fc.integer({ min: 0, max: 130 }).chain((n) => fc.string({ unit: character, minLength: n, maxLength: n }));
    fc.assert(
      fc.property(text, (name) => {
        const points = [...name];
        // An independent statement of the rule: by code point number, not by a pattern.
        const storable = points.every((c) => {
          const code = c.codePointAt(0) ?? 0;
          return code > 0x1f && code !== 0x7f && (code < 0xd800 || code > 0xdfff);
        });
        const expected = storable && points.length >= 1 && points.length <= 100;
        expect(verdicts(name)).toEqual({ http: expected, placed: expected, completed: expected });
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("customer_name characters", () => {
  it("refuses control characters and unpaired surrogates at both edges (PostgreSQL could not store them)", () => {
    for (const name of ["A\u0000B", "tab\there", "line\nbreak", "lone \uD83D high", "lone \uDE00 low", "del\u007F"]) {
      expect(verdicts(name), JSON.stringify(name)).toEqual({ http: false, placed: false, completed: false });
    }
    expect(verdicts("Zoë Tan 😀")).toEqual({ http: true, placed: true, completed: true });
  });
});
