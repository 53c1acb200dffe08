import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { DatabaseUnavailable, isUnreachableDatabaseError } from "./errors.ts";
import { createPool, FAIL_FAST_MS, isoFromPostgres } from "./pool.ts";

// PostgreSQL's text form of timestamptz in a UTC session: "YYYY-MM-DD HH:MM:SS[.ffffff]+00".
describe("isoFromPostgres", () => {
  it("keeps all six fractional digits (Date would keep three)", () => {
    expect(isoFromPostgres("2026-11-25 03:31:00.123456+00")).toBe("2026-11-25T03:31:00.123456Z");
  });

  it("pads a shorter fraction to microseconds", () => {
    expect(isoFromPostgres("2026-11-25 03:31:00.1+00")).toBe("2026-11-25T03:31:00.100000Z");
    expect(isoFromPostgres("2026-11-25 03:31:00.0001+00")).toBe("2026-11-25T03:31:00.000100Z");
  });

  it("adds a zero fraction to a whole second", () => {
    expect(isoFromPostgres("2026-11-25 03:31:00+00")).toBe("2026-11-25T03:31:00.000000Z");
  });

  it("accepts a UTC offset written with minutes", () => {
    expect(isoFromPostgres("2026-11-25 03:31:00.5+00:00")).toBe("2026-11-25T03:31:00.500000Z");
  });

  it("normalises another time zone to UTC, keeping the microseconds", () => {
    expect(isoFromPostgres("2026-11-25 11:31:00.123456+08")).toBe("2026-11-25T03:31:00.123456Z");
    expect(isoFromPostgres("2026-11-24 22:01:00-05:30")).toBe("2026-11-25T03:31:00.000000Z");
    expect(isoFromPostgres("2026-01-01 05:00:00.5+05:45")).toBe("2025-12-31T23:15:00.500000Z");
  });

  it("orders as text exactly as the instants order", () => {
    const texts = ["2026-11-25 03:31:00.000001+00", "2026-11-25 03:31:00+00", "2026-11-25 03:30:59.999999+00", "2026-11-25 03:31:00.00001+00"];
    const iso = texts.map(isoFromPostgres).sort();
    expect(iso).toEqual(["2026-11-25T03:30:59.999999Z", "2026-11-25T03:31:00.000000Z", "2026-11-25T03:31:00.000001Z", "2026-11-25T03:31:00.000010Z"]);
  });

  it("leaves what it does not recognise untouched ('infinity')", () => {
    expect(isoFromPostgres("infinity")).toBe("infinity");
    expect(isoFromPostgres("-infinity")).toBe("-infinity");
  });
});

describe("createPool's clients", () => {
  it("hear their own socket errors, so a connection reset while checked out cannot crash the process", async () => {
    const pool = createPool("postgres://nobody@127.0.0.1:1/none", 1);
    const client = new EventEmitter();
    pool.emit("connect", client);
    // An EventEmitter throws on an "error" event nobody listens to.
    expect(() => client.emit("error", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))).not.toThrow();
    await pool.end();
  });
});

describe("a pool whose database cannot be reached", () => {
  it("is not taken for down when it is only busy (its wait for a free connection timed out)", () => {
    expect(isUnreachableDatabaseError(new Error("timeout exceeded when trying to connect"))).toBe(false);
    expect(isUnreachableDatabaseError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isUnreachableDatabaseError(Object.assign(new Error("the database system is shutting down"), { code: "57P03" }))).toBe(true);
    expect(isUnreachableDatabaseError(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
  });

  it("refuses at once for a moment after a failed connection, then tries again; other pools are not affected", async () => {
    const { createServer } = await import("node:net");
    // A port that refuses: taken, then closed.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const down = createPool(`postgres://u:p@127.0.0.1:${port}/x`, 2);
    const other = createPool(`postgres://u:p@127.0.0.1:${port}/y`, 2);
    try {
      await expect(down.query("SELECT 1")).rejects.toMatchObject({ code: "ECONNREFUSED" });
      await expect(down.query("SELECT 1")).rejects.toBeInstanceOf(DatabaseUnavailable);
      await expect(down.connect()).rejects.toBeInstanceOf(DatabaseUnavailable);
      // Another database's pool still tries for itself.
      await expect(other.query("SELECT 1")).rejects.toMatchObject({ code: "ECONNREFUSED" });
      await new Promise((resolve) => setTimeout(resolve, FAIL_FAST_MS + 50));
      await expect(down.query("SELECT 1")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    } finally {
      await Promise.all([down.end(), other.end()]);
    }
  });
});
