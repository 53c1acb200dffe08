import { ORDER_SORT_COLUMNS } from "@spgroup/contracts/http/orders";
import { ORDER_STATUSES } from "@spgroup/contracts/statuses";
import { RecordsPage } from "../components/RecordsPage.tsx";
import { orderColumns } from "./orders/columns.tsx";
import { OrderDetail } from "./orders/OrderDetail.tsx";

export function OrdersPage() {
  return (
    <RecordsPage
      title="Orders"
      endpoint="/api/admin/v1/orders"
      columns={orderColumns}
      sortable={ORDER_SORT_COLUMNS}
      statuses={ORDER_STATUSES}
      detailTitle="Order"
      renderDetail={(id) => <OrderDetail id={id} />}
    />
  );
}
