import { describe, expect, it } from "vitest";
import { validateDraft } from "./validation.ts";

const valid = {
  name: "11.11",
  description: "",
  start_time: "2026-11-11T00:00",
  end_time: "2026-11-11T01:00",
  total_reward: "20",
  min_order_amount: "200",
  max_tracked_orders: "50",
};

describe("validateDraft", () => {
  it("accepts the seed's campaign", () => {
    expect(validateDraft(valid)).toEqual({});
  });
  it("explains each invalid field", () => {
    expect(validateDraft({ ...valid, name: " ", end_time: "2026-11-10T00:00", total_reward: "60", min_order_amount: "1.234" })).toEqual({
      name: "A name is required.",
      end_time: "The end must be after the start.",
      total_reward: "Cannot exceed the tracked customers: only they can win.",
      min_order_amount: "An amount in SGD with at most 2 decimals.",
    });
    expect(validateDraft({ ...valid, max_tracked_orders: "0" }).max_tracked_orders).toBeDefined();
  });
});
