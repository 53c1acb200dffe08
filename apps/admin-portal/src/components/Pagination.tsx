import { PAGE_SIZES } from "../lib/table-state.ts";

interface Props {
  page: number;
  size: number;
  total: number;
  totalPages: number;
  onPage: (page: number) => void;
  onSize: (size: number) => void;
}

export function Pagination({ page, size, total, totalPages, onPage, onSize }: Props) {
  const from = total === 0 ? 0 : (page - 1) * size + 1;
  const to = Math.min(total, page * size);
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 bg-white px-3 py-2 text-sm">
      <span data-testid="page-summary">
        {from.toLocaleString()}–{to.toLocaleString()} of {total.toLocaleString()}
      </span>
      <div className="flex items-center gap-2">
        <label className="flex items-center gap-1">
          Rows
          <select aria-label="Rows per page" value={size} onChange={(e) => onSize(Number(e.target.value))} className="rounded border border-slate-300 px-1 py-0.5">
            {PAGE_SIZES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={page <= 1} onClick={() => onPage(1)} className="rounded border px-2 py-0.5 disabled:opacity-40">
          « First
        </button>
        <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)} className="rounded border px-2 py-0.5 disabled:opacity-40">
          ‹ Prev
        </button>
        <span>
          Page {page} of {Math.max(1, totalPages).toLocaleString()}
        </span>
        <button type="button" disabled={page >= totalPages} onClick={() => onPage(page + 1)} className="rounded border px-2 py-0.5 disabled:opacity-40" data-testid="next-page">
          Next ›
        </button>
        <button type="button" disabled={page >= totalPages} onClick={() => onPage(totalPages)} className="rounded border px-2 py-0.5 disabled:opacity-40">
          Last »
        </button>
      </div>
    </nav>
  );
}
