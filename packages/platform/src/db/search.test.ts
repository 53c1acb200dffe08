import { describe, expect, it } from "vitest";
import { allMatchingSql, parseSort, searchClauses } from "./search.ts";

const ALLOWED = ["created_at", "total_amount", "status"] as const;
const FALLBACK = [{ column: "created_at", descending: true }];

describe("parseSort", () => {
  it("reads a comma list of allowed columns, '-' meaning descending", () => {
    expect(parseSort("-created_at,total_amount", ALLOWED, FALLBACK)).toEqual([
      { column: "created_at", descending: true },
      { column: "total_amount", descending: false },
    ]);
  });

  it("falls back when no sort is given", () => {
    expect(parseSort(undefined, ALLOWED, FALLBACK)).toBe(FALLBACK);
    expect(parseSort("", ALLOWED, FALLBACK)).toBe(FALLBACK);
  });

  it("refuses a column outside the whitelist, naming it and the allowed ones", () => {
    expect(() => parseSort("password", ALLOWED, FALLBACK)).toThrow(/cannot sort by 'password'.*created_at, total_amount, status/);
    expect(() => parseSort("created_at;drop table orders", ALLOWED, FALLBACK)).toThrow(/cannot sort by/);
    expect(() => parseSort("--created_at", ALLOWED, FALLBACK)).toThrow(/cannot sort by '-created_at'/);
    expect(() => parseSort("created_at,", ALLOWED, FALLBACK)).toThrow(/cannot sort by ''/);
  });

  it("refuses a column given twice, whatever its direction", () => {
    expect(() => parseSort("created_at,-created_at", ALLOWED, FALLBACK)).toThrow(/given twice/);
  });
});

describe("searchClauses", () => {
  it("parameterises every filter value and skips the empty ones", () => {
    const { whereSql, params } = searchClauses({
      filters: [
        { column: "status", op: "=", value: "SUCCESS", cast: "order_status" },
        { column: "customer_id", op: "=", value: undefined },
        { column: "order_id", op: "=", value: "" },
        { column: "note", op: "=", value: null },
        { column: "total_amount", op: ">=", value: "200.00" },
        { column: "created_at", op: "<=", value: "2026-11-11T00:00:00Z" },
      ],
      sort: [],
      tieBreaker: "id",
    });
    expect(whereSql).toBe("WHERE status = $1::order_status AND total_amount >= $2 AND created_at <= $3");
    expect(params).toEqual(["SUCCESS", "200.00", "2026-11-11T00:00:00Z"]);
  });

  it("keeps a hostile value out of the SQL text", () => {
    const value = "x' OR '1'='1";
    const { whereSql, orderSql, params } = searchClauses({ filters: [{ column: "customer_id", op: "=", value }], sort: [], tieBreaker: "id" });
    expect(`${whereSql} ${orderSql}`).not.toContain(value);
    expect(params).toEqual([value]);
  });

  it("has no WHERE without filters", () => {
    expect(searchClauses({ filters: [], sort: [], tieBreaker: "id" }).whereSql).toBe("");
  });

  it("appends the tie-breaker in the last key's direction, so pages never overlap", () => {
    expect(searchClauses({ filters: [], sort: [{ column: "total_amount", descending: true }], tieBreaker: "id" }).orderSql).toBe(
      "ORDER BY total_amount DESC, id DESC",
    );
    expect(searchClauses({ filters: [], sort: [], tieBreaker: "id" }).orderSql).toBe("ORDER BY id ASC");
  });

  it("does not repeat the tie-breaker when the sort already has it", () => {
    const sort = [
      { column: "id", descending: false },
      { column: "created_at", descending: true },
    ];
    expect(searchClauses({ filters: [], sort, tieBreaker: "id" }).orderSql).toBe("ORDER BY id ASC, created_at DESC");
  });
});

describe("allMatchingSql", () => {
  it("selects every matching row in the search's order, with its parameters", () => {
    const { sql, params } = allMatchingSql({
      table: "orders",
      columns: "id, status",
      filters: [{ column: "status", op: "=", value: "FAILED" }],
      sort: [{ column: "created_at", descending: false }],
      tieBreaker: "id",
    });
    expect(sql).toBe("SELECT id, status FROM orders WHERE status = $1 ORDER BY created_at ASC, id ASC");
    expect(params).toEqual(["FAILED"]);
  });
});
