import { randomBytes } from "node:crypto";

// W3C Trace Context (https://www.w3.org/TR/trace-context/): `traceparent` is
// "00-<trace id, 32 hex>-<parent span id, 16 hex>-<flags, 2 hex>". One order's whole path (the
// POST, every Kafka hop as a header, every log line about it) carries one trace id, so it can be
// found in every service's log by that id. Each hop is a new span of the same trace.

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace id of a valid traceparent (not all zeros, as the spec requires), else undefined. */
export function traceIdOf(traceparent: string | undefined | null): string | undefined {
  // Exactly the 55 characters, no padding: a value stored or forwarded is the validated one.
  const m = typeof traceparent === "string" ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return undefined;
  const [, traceId, spanId] = m as unknown as [string, string, string];
  return /^0+$/.test(traceId) || /^0+$/.test(spanId) ? undefined : traceId;
}

/** A new span: of the trace `parent` belongs to when it is a valid traceparent, else of a new trace. */
export function childTraceparent(parent?: string | null): string {
  const traceId = traceIdOf(parent);
  if (traceId) return `00-${traceId}-${randomBytes(8).toString("hex")}-01`;
  // A new trace: trace id and span id from one draw.
  const ids = randomBytes(24).toString("hex");
  return `00-${ids.slice(0, 32)}-${ids.slice(32)}-01`;
}

/**
 * The traceparent each consumed event arrived with (its Kafka header), by the decoded event object:
 * a handler that writes an event because of another asks `spanAfter(cause)` for the new event's
 * traceparent, without every handler's signature carrying headers. Set by the consumer only.
 */
const arrivedWith = new WeakMap<object, string>();

export function rememberTraceparent(event: object, traceparent: string | undefined): void {
  if (traceIdOf(traceparent)) arrivedWith.set(event, traceparent as string);
}

/** The traceparent `event` arrived with, if it carried a valid one. */
export function traceparentOf(event: object): string | undefined {
  return arrivedWith.get(event);
}

/** The traceparent of an event written because of `cause`: a new span of the cause's trace (or of a new one). */
export function spanAfter(cause: object | undefined): string {
  return childTraceparent(cause ? traceparentOf(cause) : undefined);
}
