import { type FormEvent, useEffect, useState } from "react";
import { fromLocalInput, toLocalInput } from "../lib/format.ts";
import type { FilterKey, TableState } from "../lib/table-state.ts";

interface Props {
  statuses: readonly string[];
  filters: TableState["filters"];
  onApply: (filters: Partial<Record<FilterKey, string | undefined>>) => void;
}

const EMPTY: Record<FilterKey, string> = { status: "", customer_id: "", order_id: "", created_from: "", created_to: "", min_amount: "", max_amount: "" };

/** Filters are edited locally and applied together, so each keystroke is not a query. */
export function FilterBar({ statuses, filters, onApply }: Props) {
  const [draft, setDraft] = useState<Record<FilterKey, string>>(EMPTY);
  useEffect(() => {
    setDraft({
      ...EMPTY,
      ...filters,
      created_from: filters.created_from ? toLocalInput(filters.created_from) : "",
      created_to: filters.created_to ? toLocalInput(filters.created_to) : "",
    });
  }, [filters]);
  const field = (key: FilterKey) => ({ value: draft[key], onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({
      ...draft,
      created_from: draft.created_from ? fromLocalInput(draft.created_from) : undefined,
      created_to: draft.created_to ? fromLocalInput(draft.created_to) : undefined,
    });
  };
  const input = "rounded border border-slate-300 px-2 py-1 text-sm";
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2 border-b border-slate-200 bg-white p-3 text-sm" aria-label="Filters">
      <label className="flex flex-col">
        Order id
        <input {...field("order_id")} className={input} placeholder="01M8…" aria-label="Order id" />
      </label>
      <label className="flex flex-col">
        Status
        <select {...field("status")} className={input} aria-label="Status">
          <option value="">Any</option>
          {statuses.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label className="flex flex-col">
        Customer id
        <input {...field("customer_id")} className={input} aria-label="Customer id" />
      </label>
      <label className="flex flex-col">
        Created from
        <input type="datetime-local" step="1" {...field("created_from")} className={input} />
      </label>
      <label className="flex flex-col">
        Created to
        <input type="datetime-local" step="1" {...field("created_to")} className={input} />
      </label>
      <label className="flex flex-col">
        Min SGD
        <input inputMode="decimal" {...field("min_amount")} className={`${input} w-24`} aria-label="Minimum amount" />
      </label>
      <label className="flex flex-col">
        Max SGD
        <input inputMode="decimal" {...field("max_amount")} className={`${input} w-24`} aria-label="Maximum amount" />
      </label>
      <button type="submit" className="rounded bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700">
        Apply
      </button>
      <button type="button" onClick={() => onApply(EMPTY)} className="rounded border border-slate-300 px-3 py-1.5 hover:bg-slate-100">
        Clear
      </button>
    </form>
  );
}
