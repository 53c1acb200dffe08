import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import type { StringProducer } from "./client.ts";
import { OutboxRelay } from "./outbox.ts";

/**
 * A stand-in pool whose relay lock is taken by another instance on every other try, counting the
 * transactions begun: the lock is per transaction, so between passes nobody holds it.
 */
function poolWithContendedLock() {
  const statements: string[] = [];
  let tries = 0;
  const client = {
    async query(sql: string) {
      statements.push(sql.trim().split(/\s+/)[0] as string);
      if (sql.includes("pg_try_advisory_xact_lock")) return { rows: [{ locked: tries++ % 2 === 0 }] };
      return { rows: [] };
    },
    release() {},
  };
  const pool = { connect: async () => client } as unknown as pg.Pool;
  return { pool, begun: () => statements.filter((s) => s === "BEGIN").length };
}

const producer = () => ({ on() {}, close: async () => {}, send: async () => ({}) }) as unknown as StringProducer;

describe("OutboxRelay scheduling", () => {
  it("runs a pass at once when nudged, even after a pass that found the lock taken (it is free again between passes)", async () => {
    const { pool, begun } = poolWithContendedLock();
    const relay = new OutboxRelay({ pool, createProducer: producer, logger: createLogger("test", "silent"), idlePollMs: 10_000 });
    relay.start();
    await sleep(20);
    const before = begun();
    for (let i = 0; i < 6; i++) {
      relay.nudge();
      await sleep(10);
    }
    await relay.stop();
    expect(begun() - before).toBeGreaterThanOrEqual(6);
  });
});
