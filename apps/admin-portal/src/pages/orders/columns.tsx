import type { Order } from "@spgroup/contracts";
import type { ColumnDef } from "@tanstack/react-table";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatInstant, formatSgd } from "../../lib/format.ts";

export const orderColumns: ColumnDef<Order>[] = [
  { id: "id", accessorKey: "id", header: "Order id", cell: (c) => <span className="font-mono text-xs">{c.getValue<string>()}</span> },
  { id: "customer_id", accessorKey: "customer_id", header: "Customer" },
  { id: "customer_name", accessorKey: "customer_name", header: "Name" },
  { id: "total_amount", accessorKey: "total_amount", header: "Amount", cell: (c) => formatSgd(c.getValue<string>()) },
  { id: "status", accessorKey: "status", header: "Status", cell: (c) => <StatusBadge status={c.getValue<string>()} /> },
  { id: "created_at", accessorKey: "created_at", header: "Created", cell: (c) => formatInstant(c.getValue<string>()) },
  { id: "updated_at", accessorKey: "updated_at", header: "Updated", cell: (c) => formatInstant(c.getValue<string>()) },
];
