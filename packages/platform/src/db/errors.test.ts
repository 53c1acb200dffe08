import { describe, expect, it } from "vitest";
import { isTransientDatabaseError, isUnreachableDatabaseError } from "./errors.ts";

describe("isTransientDatabaseError", () => {
  it("retries what is about reaching the database or contention on it", () => {
    for (const code of ["08006", "08001", "53300", "57P01", "40001", "40P01", "57014", "55P03", "ECONNREFUSED", "ECONNRESET"]) {
      expect(isTransientDatabaseError({ code }), code).toBe(true);
    }
    expect(isTransientDatabaseError(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isTransientDatabaseError(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("retries everything that says the server cannot be reached (unreachable host or network included)", () => {
    for (const code of ["EHOSTUNREACH", "ENETUNREACH", "53100"]) {
      expect(isUnreachableDatabaseError({ code }), code).toBe(true);
      expect(isTransientDatabaseError({ code }), code).toBe(true);
    }
  });

  it("answers a process out of file descriptors as busy (503, retry), not as a database that is down", () => {
    // Seen in the hot-sale benchmark: an order process holding its cap of sockets answered 500.
    for (const code of ["EMFILE", "ENFILE"]) {
      expect(isTransientDatabaseError(Object.assign(new Error(`connect ${code} 127.0.0.1:15462`), { code })), code).toBe(true);
      expect(isUnreachableDatabaseError({ code }), code).toBe(false);
    }
  });

  it("does not retry what is about the statement or its data", () => {
    for (const code of ["23505", "23514", "22P02", "42P01", "42703", "XX000", ""]) {
      expect(isTransientDatabaseError({ code }), code || "no code").toBe(false);
    }
    expect(isTransientDatabaseError(undefined)).toBe(false);
    expect(isTransientDatabaseError(new Error("syntax error at or near"))).toBe(false);
  });
});
