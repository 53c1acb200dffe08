// @vitest-environment happy-dom
import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { useTableState } from "./table-state.ts";

const at = (url: string) => ({ children }: { children: ReactNode }) => <MemoryRouter initialEntries={[url]}>{children}</MemoryRouter>;

describe("useTableState", () => {
  it("reads page, size, sort and filters from the URL, falling back to safe defaults", () => {
    const { result } = renderHook(() => useTableState(), { wrapper: at("/orders?page=3&size=50&sort=total_amount&status=FAILED&bogus=1") });
    expect(result.current.state).toEqual({ page: 3, size: 50, sort: "total_amount", filters: { status: "FAILED" }, selected: undefined });
    const odd = renderHook(() => useTableState(), { wrapper: at("/orders?page=-2&size=7") });
    expect(odd.result.current.state).toMatchObject({ page: 1, size: 20, sort: "-created_at" });
  });

  it("cycles a column's sort ascending, descending, default, and goes back to page 1 on a new filter", () => {
    const { result } = renderHook(() => useTableState(), { wrapper: at("/orders?page=4") });
    act(() => result.current.toggleSort("total_amount"));
    expect(result.current.state.sort).toBe("total_amount");
    expect(result.current.state.page).toBe(1);
    act(() => result.current.toggleSort("total_amount"));
    expect(result.current.state.sort).toBe("-total_amount");
    act(() => result.current.toggleSort("total_amount"));
    expect(result.current.state.sort).toBe("-created_at");
    act(() => result.current.update({ page: 5 }));
    act(() => result.current.update({ customer_id: "c-9" }));
    expect(result.current.state).toMatchObject({ page: 1, filters: { customer_id: "c-9" } });
  });
});
