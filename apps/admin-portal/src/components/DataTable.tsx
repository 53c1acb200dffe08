import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { Empty } from "./States.tsx";

export interface DataTableProps<Row> {
  columns: ColumnDef<Row>[];
  rows: Row[];
  /** Current sort as the API takes it, e.g. "-created_at". */
  sort: string;
  sortable: readonly string[];
  onSort: (column: string) => void;
  onOpen?: (row: Row) => void;
  rowKey: (row: Row) => string;
  selectedKey?: string | undefined;
}

/**
 * A server-side table: rows, sorting and paging come from the API; this only renders them.
 * Sortable headers are buttons and rows open with Enter, so it works from the keyboard.
 */
export function DataTable<Row>({ columns, rows, sort, sortable, onSort, onOpen, rowKey, selectedKey }: DataTableProps<Row>) {
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, manualPagination: true });
  const direction = (id: string) => (sort === id ? "ascending" : sort === `-${id}` ? "descending" : "none");
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-100">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const id = header.column.id;
                const label = flexRender(header.column.columnDef.header, header.getContext());
                const dir = direction(id);
                return (
                  <th key={header.id} scope="col" aria-sort={sortable.includes(id) ? dir : undefined} className="px-3 py-2 text-left font-semibold text-slate-700 whitespace-nowrap">
                    {sortable.includes(id) ? (
                      <button type="button" onClick={() => onSort(id)} className="inline-flex items-center gap-1 hover:text-slate-950 focus:outline-2 focus:outline-indigo-500" data-testid={`sort-${id}`}>
                        {label}
                        <span aria-hidden className="text-xs text-slate-400">{dir === "ascending" ? "▲" : dir === "descending" ? "▼" : "↕"}</span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {table.getRowModel().rows.map((row) => {
            const key = rowKey(row.original);
            return (
              <tr
                key={key}
                tabIndex={onOpen ? 0 : undefined}
                onClick={() => onOpen?.(row.original)}
                onKeyDown={(event) => {
                  if (event.key === "Enter") onOpen?.(row.original);
                }}
                aria-selected={selectedKey === key}
                className={`${onOpen ? "cursor-pointer hover:bg-indigo-50 focus:bg-indigo-50 focus:outline-none" : ""} ${selectedKey === key ? "bg-indigo-50" : ""}`}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="px-3 py-2 whitespace-nowrap">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 && <Empty>No records match these filters.</Empty>}
    </div>
  );
}
