import { PAYMENT_SORT_COLUMNS } from "@spgroup/contracts/http/payments";
import { PAYMENT_STATUSES } from "@spgroup/contracts/statuses";
import { RecordsPage } from "../components/RecordsPage.tsx";
import { PaymentDetail } from "./payments/PaymentDetail.tsx";
import { paymentColumns } from "./payments/columns.tsx";

export function PaymentsPage() {
  return (
    <RecordsPage
      title="Payments"
      endpoint="/api/admin/v1/payments"
      columns={paymentColumns}
      sortable={PAYMENT_SORT_COLUMNS}
      statuses={PAYMENT_STATUSES}
      detailTitle="Payment"
      renderDetail={(id) => <PaymentDetail id={id} />}
    />
  );
}
