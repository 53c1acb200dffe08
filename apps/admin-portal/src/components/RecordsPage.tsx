import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { PageMetadata } from "@spgroup/contracts";
import type { ColumnDef } from "@tanstack/react-table";
import type { ReactNode } from "react";
import { api, authorizedLink, withQuery } from "../api/client.ts";
import { useTableState } from "../lib/table-state.ts";
import { DataTable } from "./DataTable.tsx";
import { Drawer } from "./Drawer.tsx";
import { FilterBar } from "./FilterBar.tsx";
import { Pagination } from "./Pagination.tsx";
import { ErrorState, Loading } from "./States.tsx";

export interface RecordsPageProps<Row extends { id: string }> {
  title: string;
  /** e.g. /api/admin/v1/orders; the page uses its /search and /export.csv. */
  endpoint: string;
  columns: ColumnDef<Row>[];
  sortable: readonly string[];
  statuses: readonly string[];
  detailTitle: string;
  renderDetail: (id: string) => ReactNode;
}

/** Orders and payments share this page: server-side paging, sorting and filtering, all in the URL. */
export function RecordsPage<Row extends { id: string }>(props: RecordsPageProps<Row>) {
  const { state, update, toggleSort } = useTableState();
  const query = { page: state.page, size: state.size, sort: state.sort, ...state.filters };
  const result = useQuery({
    queryKey: [props.endpoint, query],
    queryFn: () => api<{ data: Row[]; metadata: PageMetadata }>(withQuery(`${props.endpoint}/search`, query)),
    placeholderData: keepPreviousData,
  });
  const exportFilters = { sort: state.sort, ...state.filters };
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <div className="flex items-center justify-between px-3 pt-3">
        <h1 className="text-lg font-semibold">{props.title}</h1>
        <a href={authorizedLink(`${props.endpoint}/export.csv`, exportFilters)} download className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100" data-testid="export-csv">
          Export CSV
        </a>
      </div>
      <FilterBar statuses={props.statuses} filters={state.filters} onApply={(filters) => update(filters)} />
      {result.isPending && <Loading />}
      {result.isError && <ErrorState error={result.error} onRetry={() => result.refetch()} />}
      {result.data && (
        <div className={result.isFetching ? "opacity-70 transition-opacity" : ""}>
          <DataTable
            columns={props.columns}
            rows={result.data.data}
            sort={state.sort}
            sortable={props.sortable}
            onSort={toggleSort}
            onOpen={(row) => update({ selected: row.id }, { resetPage: false })}
            rowKey={(row) => row.id}
            selectedKey={state.selected}
          />
          <Pagination
            page={state.page}
            size={state.size}
            total={result.data.metadata.total}
            totalPages={result.data.metadata.total_pages}
            onPage={(page) => update({ page }, { resetPage: false })}
            onSize={(size) => update({ size })}
          />
        </div>
      )}
      {state.selected && (
        <Drawer title={props.detailTitle} onClose={() => update({ selected: undefined }, { resetPage: false })}>
          {props.renderDetail(state.selected)}
        </Drawer>
      )}
    </section>
  );
}
