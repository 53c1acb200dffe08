/** The payment provider, seen from the payment service. Charges are idempotent per order id. */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
}

export interface ChargeRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
}

export type ChargeOutcome = { approved: true } | { approved: false; reason: string };
