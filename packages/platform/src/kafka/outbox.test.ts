import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import type { StringProducer } from "./client.ts";
import { OutboxRelay } from "./outbox.ts";

/** A stand-in pool whose relay lock is held elsewhere (or not), counting the transactions begun. */
function poolWithLock(held: boolean) {
  const statements: string[] = [];
  const client = {
    async query(sql: string) {
      statements.push(sql.trim().split(/\s+/)[0] as string);
      if (sql.includes("pg_try_advisory_xact_lock")) return { rows: [{ locked: !held }] };
      if (sql.includes("FROM outbox")) return { rows: [] };
      return { rows: [] };
    },
    release() {},
  };
  const pool = { connect: async () => client } as unknown as pg.Pool;
  return { pool, begun: () => statements.filter((s) => s === "BEGIN").length };
}

const producer = () => ({ on() {}, close: async () => {}, send: async () => ({}) }) as unknown as StringProducer;

describe("OutboxRelay scheduling", () => {
  it("does not run a transaction per nudge while another instance holds the relay lock; it polls", async () => {
    const { pool, begun } = poolWithLock(true);
    const relay = new OutboxRelay({ pool, createProducer: producer, logger: createLogger("test", "silent"), idlePollMs: 100 });
    relay.start();
    // Every order batch of this instance nudges it: 200 nudges in about 250 ms.
    for (let i = 0; i < 50; i++) {
      for (let j = 0; j < 4; j++) relay.nudge();
      await sleep(5);
    }
    await relay.stop();
    expect(begun()).toBeLessThanOrEqual(5);
    expect(begun()).toBeGreaterThanOrEqual(2);
  });

  it("runs a pass at once when nudged while it is the active relay", async () => {
    const { pool, begun } = poolWithLock(false);
    const relay = new OutboxRelay({ pool, createProducer: producer, logger: createLogger("test", "silent"), idlePollMs: 10_000 });
    relay.start();
    await sleep(20);
    const before = begun();
    for (let i = 0; i < 5; i++) {
      relay.nudge();
      await sleep(10);
    }
    await relay.stop();
    expect(begun() - before).toBeGreaterThanOrEqual(5);
  });
});
