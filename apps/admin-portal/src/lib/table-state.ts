import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

export const PAGE_SIZES = [10, 20, 50, 100, 200] as const;
export const FILTER_KEYS = ["status", "customer_id", "order_id", "created_from", "created_to", "min_amount", "max_amount"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface TableState {
  page: number;
  size: number;
  sort: string;
  filters: Partial<Record<FilterKey, string>>;
  /** The record whose detail panel is open. */
  selected: string | undefined;
}

/**
 * The whole table state lives in the URL (page, size, sort, filters, open row), so a link can be
 * shared and the back button walks through what the operator did.
 */
export function useTableState(defaultSort = "-created_at") {
  const [params, setParams] = useSearchParams();
  const state: TableState = useMemo(() => {
    const filters: TableState["filters"] = {};
    for (const key of FILTER_KEYS) {
      const value = params.get(key);
      if (value) filters[key] = value;
    }
    const size = Number(params.get("size") ?? 20);
    return {
      page: Math.max(1, Number(params.get("page") ?? 1) || 1),
      size: (PAGE_SIZES as readonly number[]).includes(size) ? size : 20,
      sort: params.get("sort") ?? defaultSort,
      filters,
      selected: params.get("selected") ?? undefined,
    };
  }, [params, defaultSort]);

  const update = useCallback(
    (changes: Record<string, string | number | undefined>, { resetPage = true } = {}) => {
      setParams((current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value === undefined || value === "") next.delete(key);
          else next.set(key, String(value));
        }
        if (resetPage && !("page" in changes)) next.delete("page");
        return next;
      });
    },
    [setParams],
  );

  /** Click on a column: ascending, then descending, then back to the default sort. */
  const toggleSort = useCallback(
    (column: string) => {
      const next = state.sort === column ? `-${column}` : state.sort === `-${column}` ? undefined : column;
      update({ sort: next });
    },
    [state.sort, update],
  );

  return { state, update, toggleSort };
}
