import { describe, expect, it } from "vitest";
import { childTraceparent, rememberTraceparent, spanAfter, traceIdOf, traceparentOf } from "./tracing.ts";

describe("W3C traceparent", () => {
  it("keeps the trace of a valid parent with a new span, and starts a trace otherwise", () => {
    const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const child = childTraceparent(parent);
    expect(traceIdOf(child)).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(child).not.toBe(parent);
    expect(child).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    for (const bad of [undefined, "", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", ` ${" ".repeat(1000)}00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n"]) {
      expect(traceIdOf(bad)).toBeUndefined();
      const fresh = childTraceparent(bad);
      expect(traceIdOf(fresh)).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(traceIdOf(childTraceparent())).not.toBe(traceIdOf(childTraceparent()));
  });

  it("continues a consumed event's trace in the events written because of it", () => {
    const event = { event_id: "e1" };
    rememberTraceparent(event, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(traceparentOf(event)).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(traceIdOf(spanAfter(event))).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const untraced = { event_id: "e2" };
    rememberTraceparent(untraced, "not a traceparent");
    expect(traceparentOf(untraced)).toBeUndefined();
    expect(traceIdOf(spanAfter(untraced))).toMatch(/^[0-9a-f]{32}$/);
  });
});
